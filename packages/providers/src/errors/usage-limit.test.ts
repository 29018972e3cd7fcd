import { describe, expect, it } from 'vitest';
import { classifyProviderFailure } from './classify-failure';
import { parseResetClock } from './reset-clock';
import { parseUsageLimit } from './usage-limit';

// 2026-12-02 03:30 UTC, a Wednesday.
const now = new Date('2026-12-02T03:30:00Z');

describe('parseUsageLimit: the real wordings of each CLI', () => {
  it('Claude Code 2.x (the installed 2.1.197 binary against the fake server, subscriber login): the session limit with a clock time and zone', () => {
    // Printed by `claude -p --output-format stream-json` for a 429 with
    // anthropic-ratelimit-unified-status: rejected and reset 06:00 UTC (see reply.usageLimit).
    expect(parseUsageLimit("You've hit your session limit · resets 6am (UTC)", now)).toEqual({ resetsAt: new Date('2026-12-02T06:00:00Z') });
    expect(parseUsageLimit("You've hit your session limit · resets 6:02am (UTC)", now)).toEqual({ resetsAt: new Date('2026-12-02T06:02:00Z') });
    // Over 24 h ahead the CLI adds the date (its `Vee` formatter); Berlin is UTC+1 in December.
    expect(parseUsageLimit("You've hit your weekly limit · resets Dec 9, 3pm (Europe/Berlin)", now)).toEqual({ resetsAt: new Date('2026-12-09T14:00:00Z') });
    // No reset known (the monthly spend limit names none).
    expect(parseUsageLimit("You've hit your monthly spend limit. /model to switch models.", now)).toEqual({});
  });

  it('Claude Code 1.x: "Claude AI usage limit reached|<epoch>" (anthropics/claude-code #9046) and the interactive sentence (#6119)', () => {
    expect(parseUsageLimit('Claude AI usage limit reached|1760000400', now)).toEqual({ resetsAt: new Date(1_760_000_400_000) });
    expect(parseUsageLimit('Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw).', now)).toEqual({ resetsAt: new Date('2026-12-02T16:00:00Z') });
    expect(parseUsageLimit('5-hour limit reached ∙ resets 3pm', now)?.resetsAt).toBeInstanceOf(Date);
  });

  it('Codex: "try again in …" (openai/codex #3899), "try again at <date time>" (#31123), and the server answer (james-6-23/codex2api #9)', () => {
    expect(parseUsageLimit("■ You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again in 5 days 22 hours 11 minutes.", now)).toEqual({
      resetsAt: new Date(now.getTime() + ((5 * 24 + 22) * 60 + 11) * 60_000),
    });
    const at = parseUsageLimit("■ You've hit your usage limit. Upgrade to Plus to continue using Codex\n(https://chatgpt.com/explore/plus), or try again at Aug 3rd, 2027 7:07 PM.", now);
    expect(at).toEqual({});
    // The wording wrapped over two lines above names no time on the matched line: the one-line form does.
    const local = parseUsageLimit("ERROR: You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at Mar 10th, 2027 3:39 AM.", now);
    expect(local?.resetsAt?.getTime()).toBe(new Date(2027, 2, 10, 3, 39).getTime());
    const server =
      '2026-03-04T17:48:31.564826Z ERROR codex_api::endpoint::responses: error=http 429 Too Many Requests: Some("{\\"error\\":{\\"type\\":\\"usage_limit_reached\\",\\"message\\":\\"The usage limit has been reached\\",\\"plan_type\\":\\"plus\\",\\"resets_at\\":1773113950,\\"eligible_promo\\":null,\\"resets_in_seconds\\":467439}}")';
    expect(parseUsageLimit(server, now)).toEqual({ resetsAt: new Date(1_773_113_950_000) });
    expect(parseUsageLimit('{"error":{"type":"usage_limit_reached","message":"The usage limit has been reached","plan_type":"free","resets_in_seconds":602705}}', now)).toEqual({
      resetsAt: new Date(now.getTime() + 602_705_000),
    });
  });

  it('Gemini: TerminalQuotaError wordings (gemini-cli #15576, #11461; a recorded stub in ai-supervisor-foundry/foundry) and the per-day API quota (#6962)', () => {
    expect(parseUsageLimit('[API Error: You have exhausted your capacity on this model. Your quota will reset after 2h52m39s.]', now)).toEqual({
      resetsAt: new Date(now.getTime() + (2 * 3600 + 52 * 60 + 39) * 1000),
    });
    expect(parseUsageLimit('✕ [API Error: You have exhausted your daily quota on this model.]', now)).toEqual({});
    expect(parseUsageLimit('⚡ You have reached your daily gemini-2.5-pro quota limit.', now)).toEqual({});
    expect(parseUsageLimit('"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"', now)).toEqual({});
  });

  it('Gemini through a Google login: the Code Assist backend\'s "Individual quota reached … Resets in 47h55m14s" and its quotaResetDelay', () => {
    expect(parseUsageLimit('Error: Individual quota reached. Please upgrade your subscription to increase your limits. Resets in 37h50m21s.', now)).toEqual({
      resetsAt: new Date(now.getTime() + (37 * 3600 + 50 * 60 + 21) * 1000),
    });
    // The JSON answer: the exact delay in seconds wins over the rounded sentence.
    const body =
      '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Individual quota reached. Please upgrade your subscription to increase your limits. Resets in 47h55m14s.","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"QUOTA_EXHAUSTED","domain":"cloudcode-pa.googleapis.com","metadata":{"quotaResetDelay":"172514s"}}]}}';
    expect(parseUsageLimit(body, now)).toEqual({ resetsAt: new Date(now.getTime() + 172_514_000) });
    expect(parseUsageLimit('RESOURCE_EXHAUSTED (code 429): Individual quota reached', now)).toEqual({});
  });

  it('the wordings printed with a typographic apostrophe (openai/codex #47047), extra usage run out (anthropics/claude-code #45033), a plan quota (openai/codex #22601)', () => {
    expect(parseUsageLimit('■ You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit\nhttps://chatgpt.com/codex/settings/usage to purchase more credits or try again at 2:51 PM.', now)).toBeDefined();
    expect(parseUsageLimit('You’ve hit your session limit · resets 6am (UTC)', now)).toEqual({ resetsAt: new Date('2026-12-02T06:00:00Z') });
    expect(parseUsageLimit('API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"You\'re out of extra usage. Add more at claude.ai/settings/usage and keep going."}}', now)).toEqual({});
    expect(parseUsageLimit('■ Quota exceeded. Check your plan and billing details.', now)).toEqual({});
  });

  it('leaves rate limits, overloads and ordinary failures alone', () => {
    for (const text of [
      "API Error: Request rejected (429) · This request would exceed your account's rate limit. Please try again later.",
      'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      'Rate limited by the fake server',
      '"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"',
      'all 42 tests passed; the rate of change is fine',
      'Invalid API key · Please run /login',
    ]) {
      expect(parseUsageLimit(text, now), text).toBeUndefined();
    }
  });
});

describe('parseResetClock', () => {
  it('reads a clock time in a zone, and a time already past as the next day', () => {
    expect(parseResetClock('3am (UTC)', now)).toEqual(new Date('2026-12-03T03:00:00Z'));
    expect(parseResetClock('3:30am (UTC)', now)).toEqual(new Date('2026-12-02T03:30:00Z'));
    expect(parseResetClock('12pm (America/New_York)', now)).toEqual(new Date('2026-12-02T17:00:00Z'));
    expect(parseResetClock('15:00 (Asia/Kolkata)', now)).toEqual(new Date('2026-12-02T09:30:00Z'));
    expect(parseResetClock('soon', now)).toBeUndefined();
  });
});

describe('classifyProviderFailure: USAGE_LIMIT', () => {
  it('is a usage limit, not a rate limit, even with HTTP 429; it is not retryable and names the reset', () => {
    const error = classifyProviderFailure({ providerId: 'claude-code', apiStatus: 429, message: "You've hit your session limit · resets 6am (UTC)" });
    expect(error.code).toBe('USAGE_LIMIT');
    expect(error.isRetryable).toBe(false);
    expect(error.resetsAt).toBeInstanceOf(Date);
    expect(error.fix).toMatch(/reset/);
  });

  it("takes the reset of a structured event over the text's", () => {
    const resetsAt = new Date('2030-01-01T00:00:00Z');
    const error = classifyProviderFailure({ providerId: 'claude-code', apiStatus: 429, usageLimit: { resetsAt }, message: 'API Error: Request rejected (429)' });
    expect(error).toMatchObject({ code: 'USAGE_LIMIT', resetsAt });
  });

  it('a plain 429 stays RATE_LIMITED', () => {
    expect(classifyProviderFailure({ providerId: 'claude-code', apiStatus: 429, message: 'API Error: Request rejected (429) · rate limit' }).code).toBe('RATE_LIMITED');
  });
});
