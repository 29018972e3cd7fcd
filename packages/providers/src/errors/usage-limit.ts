import { parseResetClock } from './reset-clock';

/** A subscription usage limit an agent CLI reported, and when it resets when it said so. */
export interface UsageLimitNotice {
  resetsAt?: Date | undefined;
}

const UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
};

/** "5 days 22 hours 11 minutes", "2h52m39s" → ms; undefined when nothing is readable. */
function durationMs(text: string): number | undefined {
  let total = 0;
  let isFound = false;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)\s*(days?|d|hours?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])/gi)) {
    total += Number(match[1]) * (UNIT_MS[match[2]!.toLowerCase()] ?? 0);
    isFound = true;
  }
  return isFound ? Math.round(total) : undefined;
}

const fromEpochSeconds = (value: string): Date | undefined => {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 1_000_000_000 ? new Date(seconds * 1000) : undefined;
};

interface UsageLimitForm {
  /** Where the form comes from. */
  source: string;
  pattern: RegExp;
  /** The reset time the match names, if any. */
  resetsAt?: (match: RegExpExecArray, text: string, now: Date) => Date | undefined;
}

/**
 * The usage-limit answers of the agent CLIs, most specific first. Each names where its wording
 * was found; the fixtures in `usage-limit.test.ts` hold the full texts.
 */
const FORMS: readonly UsageLimitForm[] = [
  // Claude Code before 2.x, in the result text: "Claude AI usage limit reached|<epoch seconds>"
  // (anthropics/claude-code issues #1328, #6119, #9046, #11429).
  { source: 'claude-code 1.x', pattern: /Claude (?:AI )?usage limit reached\|(\d{9,11})/i, resetsAt: (match) => fromEpochSeconds(match[1]!) },
  // Claude Code 1.x interactive: "Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw)." (#6119)
  { source: 'claude-code 1.x', pattern: /Claude (?:AI )?usage limit reached\.?(?:\s*Your limit will reset at ([^.]+))?/i, resetsAt: (match, _text, now) => (match[1] ? parseResetClock(match[1], now) : undefined) },
  // Codex's server answer, logged by `codex exec`: {"error":{"type":"usage_limit_reached",…,"resets_at":1773113950,…,"resets_in_seconds":467439}}
  // (james-6-23/codex2api issue #9; openai/codex logs).
  {
    source: 'codex server',
    pattern: /usage_limit_reached/,
    resetsAt: (_match, text, now) => {
      const epoch = /\\?"resets_at\\?"\s*:\s*(\d{9,11})/.exec(text)?.[1];
      if (epoch) return fromEpochSeconds(epoch);
      const seconds = /\\?"resets_in_seconds\\?"\s*:\s*(\d+)/.exec(text)?.[1];
      return seconds ? new Date(now.getTime() + Number(seconds) * 1000) : undefined;
    },
  },
  // Codex CLI: "You've hit your usage limit. Upgrade to Pro (…) or try again in 5 days 22 hours 11 minutes." (openai/codex #3899),
  // "…, or try again at Aug 3rd, 2026 7:07 PM." (openai/codex #31123), "…try again at 3:42 PM."
  {
    source: 'codex',
    pattern: /You[’']ve (?:hit|reached) your usage limit\.(?:[^\n]*?try again (?:in ([^.\n]+)|at ([^\n]+?))\.?[ \t]*$)?/im,
    resetsAt: (match, _text, now) => {
      if (match[1]) {
        const ms = durationMs(match[1]);
        return ms === undefined ? undefined : new Date(now.getTime() + ms);
      }
      return match[2] ? parseResetClock(match[2], now) : undefined;
    },
  },
  // Claude Code 2.x (the installed binary, 2.1.197: `hJ(e,t)` = "You've hit your ${limit}${' · resets ' + time}"),
  // subscribers only: "You've hit your session limit · resets 6am (UTC)", "… weekly limit · resets Dec 9, 3pm (Europe/Berlin)".
  // Also "5-hour limit reached ∙ resets 3pm" of older REPL banners, and the extra-usage credits running out:
  // "API Error: 400 … You're out of extra usage. Add more at claude.ai/settings/usage and keep going." (anthropics/claude-code #45033).
  // Codex prints the apostrophe typographic too: "■ You’ve hit your usage limit. … try again at 2:51 PM." (openai/codex #47047).
  {
    source: 'claude-code 2.x',
    pattern:
      /You[’']ve hit your [\w'’ ]{0,40}?limit(?:\s*[·∙•]\s*resets ([^·∙•\n]+))?|(?:5-hour|five-hour|weekly) limit reached(?:\s*[·∙•,]\s*resets ([^·∙•\n]+))?|You[’']re out of usage credits(?:\s*[·∙•]\s*resets ([^·∙•\n]+))?|You[’']re out of extra usage/i,
    resetsAt: (match, _text, now) => {
      const clock = match[1] ?? match[2] ?? match[3];
      return clock ? parseResetClock(clock, now) : undefined;
    },
  },
  // Codex CLI on a plan's quota: "■ Quota exceeded. Check your plan and billing details." (openai/codex #22601).
  { source: 'codex quota', pattern: /Quota exceeded\. Check your plan and billing details/i },
  // Gemini CLI (TerminalQuotaError): "You have exhausted your capacity on this model. Your quota will reset after 2h52m39s."
  // (ai-supervisor-foundry/foundry src/infrastructure/connectors/constants/stubs/responses/geminiStub/default.ts),
  // "You have exhausted your daily quota on this model." (google-gemini/gemini-cli #15576, #18050),
  // "You have reached your daily gemini-2.5-pro quota limit." (#11461).
  {
    source: 'gemini',
    pattern: /You have exhausted your (?:daily quota|capacity) on this model\.?(?:\s*Your quota will reset after ([\dhms.]+))?|You have reached your daily [\w.-]* ?quota limit|TerminalQuotaError/i,
    resetsAt: (match, _text, now) => {
      const ms = match[1] ? durationMs(match[1]) : undefined;
      return ms === undefined ? undefined : new Date(now.getTime() + ms);
    },
  },
  // Google's Code Assist backend (cloudcode-pa, what Gemini CLI talks to with a Google login) on a subscription's quota:
  // "RESOURCE_EXHAUSTED (code 429): Individual quota reached. Please upgrade your subscription to increase your limits.
  // Resets in 47h55m14s.", with ErrorInfo reason QUOTA_EXHAUSTED and metadata quotaResetDelay "172514s" (recorded payloads
  // in public proxy tests and agent logs).
  {
    source: 'gemini code assist',
    pattern: /Individual quota reached\.?(?:[^\n]*?Resets in ((?:\d+(?:\.\d+)?[dhms])+))?/i,
    resetsAt: (match, text, now) => {
      const delay = /\\?"quotaResetDelay\\?"\s*:\s*\\?"(\d+(?:\.\d+)?)s/.exec(text)?.[1];
      const ms = delay !== undefined ? Number(delay) * 1000 : match[1] ? durationMs(match[1]) : undefined;
      return ms === undefined ? undefined : new Date(now.getTime() + ms);
    },
  },
  // The Gemini API's per-day quota (google-gemini/gemini-cli #4656, #6962): RESOURCE_EXHAUSTED with a `…PerDay…` quota id.
  { source: 'gemini api', pattern: /"?quotaId"?\s*:\s*\\?"[\w-]*PerDay[\w-]*/ },
  // Qoder (docs.qoder.com/Credits: premium models stop when the month's Credits are used up); no CLI wording was found in
  // public sources, so the words of its own pages are matched.
  { source: 'qoder', pattern: /credits (?:have been |are )?(?:used up|exhausted|depleted)|(?:insufficient|not enough|no remaining) credits|out of credits/i },
];

/**
 * Whether a CLI's failure text is a subscription usage limit (not a rate limit: retrying in
 * seconds cannot help), and when it resets when the text says so (an epoch, a duration, or a
 * clock time with its time zone; a clock time already past means the next day).
 */
export function parseUsageLimit(text: string, now: Date = new Date()): UsageLimitNotice | undefined {
  for (const form of FORMS) {
    const match = form.pattern.exec(text);
    if (!match) continue;
    const resetsAt = form.resetsAt?.(match, text, now);
    return resetsAt && !Number.isNaN(resetsAt.getTime()) ? { resetsAt } : {};
  }
  return undefined;
}
