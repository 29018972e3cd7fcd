import { randomUUID } from 'node:crypto';
import {
  type LLMProviderV1,
  type CheckOptions,
  type CheckResult,
  type CompleteOptions,
  type CompleteResult,
  type PermissionMode,
  ProviderError,
  type RunTaskOptions,
  type RunTaskResult,
  type WarmUp,
  type WarmUpOptions,
  redactJson,
  redactOutput,
} from '@qoder-orch/spec';
import { checkCli } from '../process/cli-check';
import type { CliRunSettings } from '../process/cli-run-settings';
import { type PreparedCliRun, cliEnvironment, requireExecutable, runConfigFolder, withCliRun } from '../process/prepare-cli-run';
import { WarmStarts } from '../process/warm-starts';
import { WAITING_INPUT_ARGUMENTS, claudeCompleteArguments, claudeInputMessage, claudeTaskArguments } from './claude-arguments';
import { claudeShapedTaskResult, spendAndSessionOf, spendOf } from './claude-shaped-result';
import { type ClaudeShapedCall, runClaudeShapedOrThrow } from './run-claude-shaped';

/** Settings of the Claude Code CLI provider. Every field is optional. */
export interface ClaudeCliSettings extends CliRunSettings {
  /**
   * The `claude` executable: a path, or a name. @default `claude` from the project's
   * `node_modules/.bin` (and its parents'), then from `PATH`
   */
  executable?: string;
  /**
   * Kill the run when the CLI prints nothing for this long while it waits on the model, in ms.
   * Claude's own stall watchdog waits 300 s per attempt and then retries. While a tool call is
   * running (a long build or test command) silence is expected and does not count; the outer
   * timeout still does. @default 240_000
   */
  stallTimeoutMs?: number;
  /** `CLAUDE_CONFIG_DIR` for every run (sessions, settings, credentials live there). */
  configDir?: string;
  /**
   * Give each run its own empty, temporary `CLAUDE_CONFIG_DIR` (removed afterwards): no user
   * settings, hooks or MCP servers leak in, but an OAuth login does not either (use an API key),
   * and sessions cannot be resumed later. Ignored when `configDir` is set. @default false
   */
  isolateConfig?: boolean;
  /** The model (`--model`), unless a call names its own. @default the CLI's default */
  model?: string;
  /** How often the CLI itself retries a failed API call (`CLAUDE_CODE_MAX_RETRIES`). The orchestrator retries on top. @default 2 */
  maxRetries?: number;
  /** Timeout of one API request inside the CLI (`API_TIMEOUT_MS`). @default the CLI's own (600 s) */
  apiTimeoutMs?: number;
  /** Permission mode when a task does not name one. @default 'acceptEdits' */
  permissionMode?: PermissionMode;
  /** Turn limit of a completion (a structured answer takes two turns). @default 4 */
  completeMaxTurns?: number;
  /** The provider id in errors and events. @default 'claude-cli' */
  providerId?: string;
}

const INSTALL_HINT = 'Install Claude Code (`npm install -g @anthropic-ai/claude-code`) or set `executable` to the `claude` binary.';
const AUTH_HINT = 'Set ANTHROPIC_API_KEY (or log in with `claude /login`); with `isolateConfig` only an API key works.';
/** Prefixes of the environment variables Claude Code reads. */
const CLAUDE_PREFIXES = ['ANTHROPIC_', 'CLAUDE_', 'DISABLE_', 'MCP_TIMEOUT', 'MCP_TOOL_TIMEOUT', 'API_TIMEOUT_MS', 'BASH_DEFAULT_TIMEOUT_MS', 'BASH_MAX_TIMEOUT_MS', 'BASH_MAX_OUTPUT_LENGTH', 'MAX_THINKING_TOKENS', 'IS_SANDBOX'];
/** Cloud credentials go to the CLI only when it is told to use that cloud. */
function claudePrefixes(parent: Readonly<Record<string, string | undefined>>, extra: Readonly<Record<string, string>>): string[] {
  const isSet = (name: string) => Boolean(extra[name] ?? parent[name]);
  return [...CLAUDE_PREFIXES, ...(isSet('CLAUDE_CODE_USE_BEDROCK') ? ['AWS_'] : []), ...(isSet('CLAUDE_CODE_USE_VERTEX') ? ['CLOUD_ML_REGION', 'VERTEX_REGION_', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT'] : [])];
}

class ClaudeCliProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: ClaudeCliSettings;
  /** Completions started ahead of their prompt (`doWarmUp`). */
  readonly #warmStarts = new WarmStarts<CompleteResult>();

  constructor(settings: ClaudeCliSettings) {
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'claude-cli';
  }

  async #prepare(cwd: string | undefined, optionsEnv: Readonly<Record<string, string>> | undefined): Promise<PreparedCliRun> {
    const settings = this.#settings;
    const executable = requireExecutable({ providerId: this.providerId, configured: settings.executable, names: ['claude'], cwd, description: 'the `claude` executable', installHint: INSTALL_HINT });
    const configDir = await runConfigFolder({ configured: settings.configDir, isolate: settings.isolateConfig, prefix: 'qoder-orch-claude-' });
    const fixed: Record<string, string> = {
      CLAUDE_CODE_MAX_RETRIES: String(settings.maxRetries ?? 2),
      DISABLE_AUTOUPDATER: '1',
      ...(settings.apiTimeoutMs === undefined ? {} : { API_TIMEOUT_MS: String(settings.apiTimeoutMs) }),
      ...(configDir.path === undefined ? {} : { CLAUDE_CONFIG_DIR: configDir.path }),
    };
    const providerPrefixes = claudePrefixes(process.env, { ...settings.env, ...optionsEnv });
    return { executable, ...cliEnvironment({ providerPrefixes, settingsEnv: settings.env, optionsEnv, fixed }), cleanup: configDir.cleanup };
  }

  /** Runs `claude` with this provider's fixed options (the prompt on stdin); throws its failure. */
  #run(run: PreparedCliRun, call: ClaudeShapedCall) {
    const settings = this.#settings;
    return runClaudeShapedOrThrow({
      ...call,
      executable: run.executable,
      env: run.env,
      secrets: run.secrets,
      providerId: this.providerId,
      stallTimeoutMs: settings.stallTimeoutMs ?? 240_000,
      killGraceMs: settings.killGraceMs ?? 5_000,
      installHint: INSTALL_HINT,
      authHint: AUTH_HINT,
    });
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, options.env), async (run) => {
      const shaped = await this.#run(run, {
        args: claudeTaskArguments(options, {
          model: settings.model,
          permissionMode: settings.permissionMode ?? 'acceptEdits',
          sessionId: randomUUID(),
          extraArgs: settings.extraArgs ?? [],
        }),
        cwd: options.cwd,
        input: options.prompt,
        timeoutMs: options.timeoutMs ?? settings.timeoutMs ?? 1_800_000,
        abortSignal: options.abortSignal,
        onEvent: options.onEvent,
        isDenialFailure: true,
      });
      return claudeShapedTaskResult(shaped, run.secrets);
    });
  }

  /** Starts `claude` for a completion with these options now; the next `doComplete` with the same options gives it its prompt (see `LLMProviderV1.doWarmUp`). */
  doWarmUp(options: WarmUpOptions): WarmUp {
    return this.#warmStarts.start(completionKey(options), (input, abortSignal) => this.#complete({ ...options, abortSignal }, input));
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const warm = this.#warmStarts.take(completionKey(options), options.prompt, options.abortSignal);
    if (warm === undefined) return this.#complete(options, options.prompt);
    try {
      return await warm;
    } catch (error) {
      // A process started ahead that died without a model call (it was killed while it waited, or
      // could not read its prompt): the call gets a process of its own. Anything else is the call's answer.
      if (options.abortSignal?.aborted || !isCrashWithoutSpend(error)) throw error;
      return this.#complete(options, options.prompt);
    }
  }

  async #complete(options: Omit<CompleteOptions, 'prompt'>, input: string | Promise<string | undefined>): Promise<CompleteResult> {
    const settings = this.#settings;
    // A warm start's prompt comes later, as a stream-json message: text input gives up after 3 s.
    const isWaiting = typeof input !== 'string';
    return withCliRun(this.#prepare(options.cwd, undefined), async (run) => {
      const { outcome } = await this.#run(run, {
        args: [...claudeCompleteArguments(options, { model: settings.model, sessionId: randomUUID(), maxTurns: settings.completeMaxTurns ?? 4, extraArgs: settings.extraArgs ?? [] }), ...(isWaiting ? WAITING_INPUT_ARGUMENTS : [])],
        cwd: options.cwd ?? process.cwd(),
        input: isWaiting ? input.then((prompt) => (prompt === undefined ? undefined : claudeInputMessage(prompt))) : input,
        timeoutMs: options.timeoutMs ?? settings.completeTimeoutMs ?? 600_000,
        abortSignal: options.abortSignal,
        isDenialFailure: false,
      });
      const structured = outcome.result.structured_output;
      if (options.jsonSchema && structured === undefined) {
        throw new ProviderError({
          providerId: this.providerId,
          code: 'BAD_OUTPUT',
          message: `${this.providerId}: a JSON answer was asked for (--json-schema) but the result has no structured_output`,
          fix: 'Check that the installed Claude Code supports --json-schema (2.1 or later).',
          ...spendOf(outcome),
          isRetryable: true,
        });
      }
      return {
        text: redactOutput(outcome.result.result ?? (structured === undefined ? '' : JSON.stringify(structured)), run.secrets),
        ...(structured === undefined ? {} : { json: redactJson(structured, run.secrets) }),
        ...spendAndSessionOf(outcome),
      };
    });
  }

  async doCheck(options: CheckOptions = {}): Promise<CheckResult> {
    return checkCli({
      options,
      prepare: () => this.#prepare(options.cwd, undefined),
      installHint: INSTALL_HINT,
      authHint: AUTH_HINT,
      authentication: ({ env }) => ({
        isAuthenticated: Boolean(env['ANTHROPIC_API_KEY'] || env['ANTHROPIC_AUTH_TOKEN'] || env['CLAUDE_CODE_OAUTH_TOKEN'] || env['CLAUDE_CODE_USE_BEDROCK'] || env['CLAUDE_CODE_USE_VERTEX']),
        warning: 'No ANTHROPIC_API_KEY in the environment; Claude Code will use its stored login, if any.',
      }),
    });
  }
}

/** A crashed process that spent nothing: no model call was made, so making the call again repeats nothing. */
function isCrashWithoutSpend(error: unknown): boolean {
  if (!ProviderError.isInstance(error) || error.code !== 'CRASHED') return false;
  const { usage, costUsd } = error as Partial<Pick<ProviderError, 'usage' | 'costUsd'>>;
  return (usage?.inputTokens ?? 0) === 0 && (usage?.outputTokens ?? 0) === 0 && (costUsd ?? 0) === 0;
}

/** What makes two completions the same call but for their prompts: a warm start is taken only by a call like the one it was started for. */
function completionKey(options: WarmUpOptions): string {
  return JSON.stringify([options.purpose ?? null, options.model ?? null, options.system ?? null, options.jsonSchema ?? null, options.cwd ?? process.cwd(), options.timeoutMs ?? null]);
}

/** Creates a provider that runs tasks through the Claude Code CLI (`claude -p`). */
export function createClaudeCli(settings: ClaudeCliSettings = {}): LLMProviderV1 {
  return new ClaudeCliProvider(settings);
}

/** The Claude Code CLI provider with default settings. */
export const claudeCli: LLMProviderV1 = createClaudeCli();
