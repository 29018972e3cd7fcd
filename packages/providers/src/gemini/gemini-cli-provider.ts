import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LLMProviderV1, type CheckOptions, type CheckResult, type CompleteOptions, type CompleteResult, type PermissionMode, ProviderError, type RunTaskOptions, type RunTaskResult } from '@qoder-orch/spec';
import { checkCli } from '../process/cli-check';
import type { CliRunSettings } from '../process/cli-run-settings';
import { extractJson } from '@qoder-orch/spec';
import type { EventParserOptions } from '../process/json-lines-parser';
import { type PreparedCliRun, cliEnvironment, requireExecutable, runConfigFolder, withCliRun } from '../process/prepare-cli-run';
import { promptWithInstructions } from '../process/prompt-with-instructions';
import { type EventStreamCall, runEventStreamCli } from '../process/run-event-stream-cli';
import { GeminiEventParser } from './gemini-event-parser';
import { interpretGeminiRun } from './interpret-gemini-run';

/** Settings of the Gemini CLI provider. Every field is optional; `env` typically holds GEMINI_API_KEY or GOOGLE_GEMINI_BASE_URL. */
export interface GeminiCliSettings extends CliRunSettings {
  /** The `gemini` executable. @default `gemini` from the project's `node_modules/.bin`, then `PATH` */
  executable?: string;
  /** Kill the run when it prints nothing for this long, in ms. @default 240_000 */
  stallTimeoutMs?: number;
  /**
   * Run with a temporary `HOME` whose `.gemini/settings.json` selects API-key auth (removed
   * afterwards): no user settings leak in; only GEMINI_API_KEY authenticates. @default false
   */
  isolateConfig?: boolean;
  /** The model (`-m`). Always passed: without it the CLI spends a routing call first. @default 'gemini-2.5-pro' */
  model?: string;
  /** Trust the workspace (`GEMINI_CLI_TRUST_WORKSPACE`); headless runs in untrusted folders exit 55. @default true */
  isWorkspaceTrusted?: boolean;
  /** Permission mode when a task does not name one (mapped to an approval mode). @default 'acceptEdits' */
  permissionMode?: PermissionMode;
  /** @default 'gemini-cli' */
  providerId?: string;
}

const INSTALL_HINT = 'Install Gemini CLI (`npm install -g @google/gemini-cli`) or set `executable` to the `gemini` binary.';
const AUTH_HINT = 'Set GEMINI_API_KEY (and select API-key auth in ~/.gemini/settings.json), or log in with `gemini` once.';
const GEMINI_PREFIXES = ['GEMINI_', 'GOOGLE_'];

/** How Gemini's output is read. */
const GEMINI_STREAM = { createParser: (options: EventParserOptions) => new GeminiEventParser(options), interpret: interpretGeminiRun, installHint: INSTALL_HINT, authHint: AUTH_HINT };

/** Gemini's approval modes for the spec's permission modes. */
const APPROVAL_MODES: Record<PermissionMode, string> = {
  plan: 'plan',
  default: 'default',
  dontAsk: 'default',
  acceptEdits: 'auto_edit',
  auto: 'yolo',
  bypassPermissions: 'yolo',
};

/** Gemini's names for Claude Code's tool names (others pass through unchanged). */
const TOOL_NAMES: Record<string, string> = {
  Read: 'read_file',
  Write: 'write_file',
  Edit: 'replace',
  MultiEdit: 'replace',
  Bash: 'run_shell_command',
  Glob: 'glob',
  Grep: 'search_file_content',
  LS: 'list_directory',
  WebFetch: 'web_fetch',
  WebSearch: 'google_web_search',
};

/** `~/.gemini/settings.json` of an isolated HOME: API-key auth, nothing else. */
async function writeApiKeySettings(home: string): Promise<void> {
  await mkdir(join(home, '.gemini'));
  await writeFile(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
}

class GeminiCliProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: GeminiCliSettings;

  constructor(settings: GeminiCliSettings) {
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'gemini-cli';
  }

  async #prepare(cwd: string | undefined, optionsEnv: Readonly<Record<string, string>> | undefined): Promise<PreparedCliRun> {
    const settings = this.#settings;
    const executable = requireExecutable({ providerId: this.providerId, configured: settings.executable, names: ['gemini'], cwd, description: 'the `gemini` executable', installHint: INSTALL_HINT });
    // Gemini has no config-dir variable: an isolated run gets a temporary HOME selecting API-key auth.
    const home = await runConfigFolder({ configured: undefined, isolate: settings.isolateConfig, prefix: 'qoder-orch-gemini-', setUp: writeApiKeySettings });
    const fixed: Record<string, string> = {
      GEMINI_CLI_TRUST_WORKSPACE: String(settings.isWorkspaceTrusted ?? true),
      NO_COLOR: '1',
      ...(home.path === undefined ? {} : { HOME: home.path }),
    };
    return { executable, ...cliEnvironment({ providerPrefixes: GEMINI_PREFIXES, settingsEnv: settings.env, optionsEnv, fixed }), cleanup: home.cleanup };
  }

  /** The prompt goes on stdin; `-p ''` turns on headless mode and appends nothing. */
  #arguments(approvalMode: string, model: string | undefined, extra: string[]): string[] {
    return ['-p', '', '--output-format', 'stream-json', '--approval-mode', approvalMode, '--model', model ?? this.#settings.model ?? 'gemini-2.5-pro', ...extra, ...(this.#settings.extraArgs ?? [])];
  }

  #run(call: EventStreamCall) {
    const settings = this.#settings;
    return runEventStreamCli({ ...call, ...GEMINI_STREAM, providerId: this.providerId, stallTimeoutMs: settings.stallTimeoutMs ?? 240_000, killGraceMs: settings.killGraceMs ?? 5_000 });
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, options.env), async (run) => {
      const extra: string[] = [];
      for (const tool of options.allowedTools ?? []) extra.push('--allowed-tools', TOOL_NAMES[tool] ?? tool);
      extra.push(...(options.resumeSessionId ? ['--resume', options.resumeSessionId] : ['--session-id', randomUUID()]));
      const args = this.#arguments(APPROVAL_MODES[options.permissionMode ?? settings.permissionMode ?? 'acceptEdits'], options.model, extra);
      // No flag appends to Gemini's system prompt: the subagent's instructions follow the task.
      const prompt = promptWithInstructions(options.prompt, options.systemPrompt, 'Instructions for your role');
      const { summary, processResult } = await this.#run({ run, args, prompt, cwd: options.cwd, timeoutMs: options.timeoutMs ?? settings.timeoutMs ?? 1_800_000, abortSignal: options.abortSignal, onEvent: options.onEvent });
      return { summary: summary.text, usage: summary.usage, ...(summary.sessionId === undefined ? {} : { sessionId: summary.sessionId }), durationMs: processResult.durationMs };
    });
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, undefined), async (run) => {
      const instructions = [options.system, options.jsonSchema ? `Answer with one JSON object only (no prose, no code fence) that follows this JSON Schema:\n${JSON.stringify(options.jsonSchema)}` : undefined].filter(Boolean).join('\n\n');
      const prompt = promptWithInstructions(options.prompt, instructions, 'Instructions');
      // Not plan mode: its instructions and `exit_plan_mode` tool make the model plan instead of
      // answering. Headless `default` offers no tool that needs a confirmation (no edits, no shell).
      const { summary } = await this.#run({
        run,
        args: this.#arguments('default', options.model, []),
        prompt,
        cwd: options.cwd ?? process.cwd(),
        timeoutMs: options.timeoutMs ?? settings.completeTimeoutMs ?? 600_000,
        abortSignal: options.abortSignal,
        onEvent: undefined,
      });
      const json = options.jsonSchema ? extractJson(summary.text).value : undefined;
      if (options.jsonSchema && json === undefined) {
        throw new ProviderError({
          providerId: this.providerId,
          code: 'BAD_OUTPUT',
          message: `${this.providerId}: a JSON answer was asked for but the answer holds none: ${summary.text.slice(0, 200)}`,
          usage: summary.usage,
          isRetryable: true,
        });
      }
      return { text: summary.text, ...(json === undefined ? {} : { json }), usage: summary.usage, ...(summary.sessionId === undefined ? {} : { sessionId: summary.sessionId }) };
    });
  }

  async doCheck(options: CheckOptions = {}): Promise<CheckResult> {
    return checkCli({
      options,
      prepare: () => this.#prepare(options.cwd, undefined),
      installHint: INSTALL_HINT,
      authHint: AUTH_HINT,
      defaultTimeoutMs: 30_000,
      authentication: ({ env }) => ({
        isAuthenticated: Boolean(env['GEMINI_API_KEY'] || env['GOOGLE_API_KEY'] || env['GOOGLE_APPLICATION_CREDENTIALS']),
        warning: "No GEMINI_API_KEY in the environment; the CLI's stored login is used, if any.",
      }),
    });
  }
}

/** Creates a provider that runs tasks through Gemini CLI (`gemini -p`). */
export function createGeminiCli(settings: GeminiCliSettings = {}): LLMProviderV1 {
  return new GeminiCliProvider(settings);
}

/** The Gemini CLI provider with default settings. */
export const geminiCli: LLMProviderV1 = createGeminiCli();
