import { randomUUID } from 'node:crypto';
import { type LLMProviderV1, type CheckOptions, type CheckResult, type CompleteOptions, type CompleteResult, type PermissionMode, ProviderError, type RunTaskOptions, type RunTaskResult, redactJson, redactOutput } from '@qoder-orch/spec';
import { claudeShapedTaskResult, spendAndSessionOf, spendOf } from '../claude/claude-shaped-result';
import { type ClaudeShapedCall, runClaudeShapedOrThrow } from '../claude/run-claude-shaped';
import { checkCli } from '../process/cli-check';
import type { CliRunSettings } from '../process/cli-run-settings';
import { extractJson } from '@qoder-orch/spec';
import { type PreparedCliRun, cliEnvironment, requireExecutable, runConfigFolder, withCliRun } from '../process/prepare-cli-run';
import { type QoderOutputFormat, qoderCompleteArguments, qoderTaskArguments } from './qoder-arguments';
import { QODER_TOKEN_VARIABLE, findQoderToken } from './qoder-token';

/** Settings of the Qoder CLI provider. Every field is optional. */
export interface QoderCliSettings extends CliRunSettings {
  /** The executable: a path or a name. @default `qodercli`, then `qoder`, from the project's `node_modules/.bin`, then `PATH` */
  executable?: string;
  /**
   * Where to look for `.env.local` (with `QODER_PERSONAL_ACCESS_TOKEN`) when the environment has
   * no token. The run's `cwd` is searched after it. @default process.cwd()
   */
  projectDir?: string;
  /**
   * Kill the run when the CLI prints nothing for this long, in ms. With the `json` output format
   * the CLI prints only at the end, so this is off unless set. @default undefined
   */
  stallTimeoutMs?: number;
  /** `--config-dir` for every run. */
  configDir?: string;
  /** Give each run its own temporary `--config-dir` (removed afterwards). Ignored when `configDir` is set. @default false */
  isolateConfig?: boolean;
  /** The model (`-m`). @default the CLI's default */
  model?: string;
  /** `--max-model-request-retries`. @default the CLI's own */
  maxRetries?: number;
  /** Permission mode when a task does not name one. @default 'acceptEdits' */
  permissionMode?: PermissionMode;
  /**
   * `json` (measured: Claude's result object) or `stream-json` (events while it works, parsed as
   * Claude's stream). @default 'json'
   */
  outputFormat?: QoderOutputFormat;
  /** @default 'qoder-cli' */
  providerId?: string;
}

const INSTALL_HINT = 'Install the Qoder CLI (`npm install -g @qoder-ai/qodercli`) or set `executable` to `qodercli`.';
const AUTH_HINT = `Set ${QODER_TOKEN_VARIABLE} in the environment or in the project's .env.local, or run \`qodercli\` and /login once.`;
const QODER_PREFIXES = ['QODER_'];
/** Prompts up to this size go on the command line (after `--`); longer ones on stdin. */
const MAX_ARGUMENT_PROMPT = 100_000;

interface PreparedRun extends PreparedCliRun {
  configDir: string | undefined;
  hasToken: boolean;
}

class QoderCliProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: QoderCliSettings;

  constructor(settings: QoderCliSettings) {
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'qoder-cli';
  }

  async #prepare(cwd: string | undefined, optionsEnv: Readonly<Record<string, string>> | undefined): Promise<PreparedRun> {
    const settings = this.#settings;
    const executable = requireExecutable({ providerId: this.providerId, configured: settings.executable, names: ['qodercli', 'qoder'], cwd, description: 'neither `qodercli` nor `qoder`', installHint: INSTALL_HINT });
    const configDir = await runConfigFolder({ configured: settings.configDir, isolate: settings.isolateConfig, prefix: 'qoder-orch-qoder-' });
    const merged = { ...process.env, ...settings.env, ...optionsEnv };
    const token = findQoderToken(merged, [settings.projectDir ?? process.cwd(), ...(cwd ? [cwd] : [])]);
    // A token read from .env.local is set by the provider, and redacted like extra environment.
    const tokenVariables = token ? { [QODER_TOKEN_VARIABLE]: token } : {};
    const { env, secrets } = cliEnvironment({ providerPrefixes: QODER_PREFIXES, settingsEnv: settings.env, optionsEnv, fixed: tokenVariables, moreSecrets: tokenVariables });
    return { executable, env, secrets, configDir: configDir.path, hasToken: token !== undefined, cleanup: configDir.cleanup };
  }

  #defaults(run: PreparedRun) {
    const settings = this.#settings;
    return {
      model: settings.model,
      permissionMode: settings.permissionMode ?? 'acceptEdits',
      sessionId: randomUUID(),
      outputFormat: settings.outputFormat ?? 'json',
      configDir: run.configDir,
      maxRetries: settings.maxRetries,
      extraArgs: settings.extraArgs ?? [],
    } as const;
  }

  /** The prompt after `--` on the command line, or on stdin when it is too long for one argument. */
  #withPrompt(args: string[], prompt: string): { args: string[]; input: string | undefined } {
    return prompt.length > MAX_ARGUMENT_PROMPT ? { args, input: prompt } : { args: [...args, '--', prompt], input: undefined };
  }

  /**
   * Runs the CLI with this provider's fixed options; throws its failure. No stall timeout unless
   * set: with the `json` output format the CLI prints only at the end.
   */
  #run(run: PreparedRun, call: ClaudeShapedCall) {
    const settings = this.#settings;
    return runClaudeShapedOrThrow({
      ...call,
      executable: run.executable,
      env: run.env,
      secrets: run.secrets,
      providerId: this.providerId,
      stallTimeoutMs: settings.stallTimeoutMs,
      killGraceMs: settings.killGraceMs ?? 5_000,
      installHint: INSTALL_HINT,
      authHint: AUTH_HINT,
    });
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, options.env), async (run) => {
      const shaped = await this.#run(run, {
        ...this.#withPrompt(qoderTaskArguments(options, this.#defaults(run)), options.prompt),
        cwd: options.cwd,
        timeoutMs: options.timeoutMs ?? settings.timeoutMs ?? 1_800_000,
        abortSignal: options.abortSignal,
        onEvent: options.onEvent,
        isDenialFailure: true,
      });
      return claudeShapedTaskResult(shaped, run.secrets);
    });
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, undefined), async (run) => {
      const { outcome } = await this.#run(run, {
        ...this.#withPrompt(qoderCompleteArguments(options, this.#defaults(run)), options.prompt),
        cwd: options.cwd ?? process.cwd(),
        timeoutMs: options.timeoutMs ?? settings.completeTimeoutMs ?? 600_000,
        abortSignal: options.abortSignal,
        isDenialFailure: false,
      });
      const text = redactOutput(outcome.result.result ?? '', run.secrets);
      const json = options.jsonSchema ? (outcome.result.structured_output ?? extractJson(text).value) : undefined;
      if (options.jsonSchema && json === undefined) {
        throw new ProviderError({
          providerId: this.providerId,
          code: 'BAD_OUTPUT',
          message: `${this.providerId}: a JSON answer was asked for but the answer holds none: ${text.slice(0, 200)}`,
          fix: 'Retry; if it persists, use a provider that enforces JSON schemas (claude) for planning.',
          ...spendOf(outcome),
          isRetryable: true,
        });
      }
      return {
        text,
        ...(json === undefined ? {} : { json: redactJson(json, run.secrets) }),
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
      authentication: (run) => ({
        isAuthenticated: run.hasToken,
        warning: `No ${QODER_TOKEN_VARIABLE} in the environment or .env.local; the CLI's stored login is used, if any.`,
      }),
    });
  }
}

/** Creates a provider that runs tasks through the Qoder CLI (`qodercli -p`). */
export function createQoderCli(settings: QoderCliSettings = {}): LLMProviderV1 {
  return new QoderCliProvider(settings);
}

/** The Qoder CLI provider with default settings (the default provider of qoder-orch). */
export const qoderCli: LLMProviderV1 = createQoderCli();
