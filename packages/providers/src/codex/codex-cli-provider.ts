import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LLMProviderV1, type CheckOptions, type CheckResult, type CompleteOptions, type CompleteResult, type PermissionMode, ProviderError, type RunTaskOptions, type RunTaskResult } from '@qoder-orch/spec';
import { checkCli } from '../process/cli-check';
import type { CliRunSettings } from '../process/cli-run-settings';
import { extractJson } from '@qoder-orch/spec';
import type { EventParserOptions } from '../process/json-lines-parser';
import { type PreparedCliRun, cliEnvironment, requireExecutable, runConfigFolder, withCliRun } from '../process/prepare-cli-run';
import { promptWithInstructions } from '../process/prompt-with-instructions';
import { type EventStreamCall, runEventStreamCli } from '../process/run-event-stream-cli';
import { CODEX_SANDBOXES, codexConfigArguments } from './codex-arguments';
import { CodexEventParser } from './codex-event-parser';
import { interpretCodexRun } from './interpret-codex-run';

/** Settings of the Codex CLI provider. Every field is optional. */
export interface CodexCliSettings extends CliRunSettings {
  /** The `codex` executable. @default `codex` from the project's `node_modules/.bin`, then `PATH` */
  executable?: string;
  /** Kill the run when it prints nothing for this long, in ms. @default 240_000 */
  stallTimeoutMs?: number;
  /** `CODEX_HOME` for every run (config, sessions, login). @default the CLI's own (`~/.codex`) */
  configDir?: string;
  /** Give each run its own temporary `CODEX_HOME` (removed afterwards); only an API key authenticates then. @default false */
  isolateConfig?: boolean;
  /** The model (`-m`). @default the CLI's default */
  model?: string;
  /**
   * An OpenAI-compatible Responses API base URL (ending in `/v1`). When set, a model provider
   * `qoder_orch` pointing there is configured (`OPENAI_BASE_URL` alone is ignored by Codex).
   */
  baseUrl?: string;
  /** The variable holding the API key for `baseUrl`. @default 'OPENAI_API_KEY' */
  apiKeyVariable?: string;
  /** Request and stream retries of the `baseUrl` provider. @default the CLI's own (5) */
  maxRetries?: number;
  /** More `-c key=value` overrides; values are TOML (quote strings). */
  config?: Readonly<Record<string, string>>;
  /** Permission mode when a task does not name one (mapped to a sandbox). @default 'acceptEdits' */
  permissionMode?: PermissionMode;
  /** @default 'codex-cli' */
  providerId?: string;
}

const INSTALL_HINT = 'Install Codex (`npm install -g @openai/codex`) or set `executable` to the `codex` binary.';
const AUTH_HINT = 'Set OPENAI_API_KEY (or the `apiKeyVariable` you configured), or run `codex login`.';
const CODEX_PREFIXES = ['OPENAI_', 'CODEX_', 'AZURE_OPENAI_'];

/** How Codex's output is read. */
const CODEX_STREAM = { createParser: (options: EventParserOptions) => new CodexEventParser(options), interpret: interpretCodexRun, installHint: INSTALL_HINT, authHint: AUTH_HINT };

interface PreparedRun extends PreparedCliRun {
  codexHome: string | undefined;
}

class CodexCliProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: CodexCliSettings;

  constructor(settings: CodexCliSettings) {
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'codex-cli';
  }

  async #prepare(cwd: string | undefined, optionsEnv: Readonly<Record<string, string>> | undefined): Promise<PreparedRun> {
    const settings = this.#settings;
    const executable = requireExecutable({ providerId: this.providerId, configured: settings.executable, names: ['codex'], cwd, description: 'the `codex` executable', installHint: INSTALL_HINT });
    const codexHome = await runConfigFolder({ configured: settings.configDir, isolate: settings.isolateConfig, prefix: 'qoder-orch-codex-' });
    // The key variable may have any name (`apiKeyVariable`): it is passed from the parent by name.
    const keyVariable = settings.apiKeyVariable ?? 'OPENAI_API_KEY';
    const parentKey = process.env[keyVariable];
    const { env, secrets } = cliEnvironment({
      providerPrefixes: CODEX_PREFIXES,
      settingsEnv: settings.env,
      optionsEnv,
      fixed: codexHome.path ? { CODEX_HOME: codexHome.path } : {},
      passedFromParent: parentKey ? { [keyVariable]: parentKey } : {},
    });
    return { executable, env, secrets, codexHome: codexHome.path, cleanup: codexHome.cleanup };
  }

  #commonArguments(sandbox: string, model: string | undefined): string[] {
    const settings = this.#settings;
    return [
      '--json',
      '--skip-git-repo-check',
      '--color',
      'never',
      '--sandbox',
      sandbox,
      ...codexConfigArguments({ baseUrl: settings.baseUrl, apiKeyVariable: settings.apiKeyVariable ?? 'OPENAI_API_KEY', maxRetries: settings.maxRetries, config: settings.config }),
      ...(model ? ['--model', model] : []),
      ...(settings.extraArgs ?? []),
    ];
  }

  #run(call: EventStreamCall) {
    const settings = this.#settings;
    return runEventStreamCli({ ...call, ...CODEX_STREAM, providerId: this.providerId, stallTimeoutMs: settings.stallTimeoutMs ?? 240_000, killGraceMs: settings.killGraceMs ?? 5_000 });
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, options.env), async (run) => {
      const common = this.#commonArguments(CODEX_SANDBOXES[options.permissionMode ?? settings.permissionMode ?? 'acceptEdits'], options.model ?? settings.model);
      // The prompt goes on stdin (`-`); Codex has no system prompt flag, so the subagent's
      // instructions follow the task (its first line keeps the orchestrator's marker).
      const args = options.resumeSessionId ? ['exec', ...common, 'resume', options.resumeSessionId, '-'] : ['exec', ...common, '-'];
      const prompt = promptWithInstructions(options.prompt, options.systemPrompt, 'Instructions for your role');
      const { summary, processResult } = await this.#run({ run, args, prompt, cwd: options.cwd, timeoutMs: options.timeoutMs ?? settings.timeoutMs ?? 1_800_000, abortSignal: options.abortSignal, onEvent: options.onEvent });
      return {
        summary: summary.texts.at(-1) ?? '',
        usage: summary.usage,
        ...(summary.threadId === undefined ? {} : { sessionId: summary.threadId }),
        durationMs: processResult.durationMs,
      };
    });
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const settings = this.#settings;
    return withCliRun(this.#prepare(options.cwd, undefined), async (run) => {
      const scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-codex-schema-'));
      try {
        const args = ['exec', ...this.#commonArguments('read-only', options.model ?? settings.model), '--ephemeral'];
        if (options.jsonSchema) {
          const schemaFile = join(scratch, 'schema.json');
          await writeFile(schemaFile, JSON.stringify(options.jsonSchema));
          args.push('--output-schema', schemaFile);
        }
        args.push('-');
        const prompt = promptWithInstructions(options.prompt, options.system, 'Instructions');
        const { summary } = await this.#run({ run, args, prompt, cwd: options.cwd ?? process.cwd(), timeoutMs: options.timeoutMs ?? settings.completeTimeoutMs ?? 600_000, abortSignal: options.abortSignal, onEvent: undefined });
        const text = summary.texts.at(-1) ?? '';
        const json = options.jsonSchema ? extractJson(text).value : undefined;
        if (options.jsonSchema && json === undefined) {
          throw new ProviderError({ providerId: this.providerId, code: 'BAD_OUTPUT', message: `${this.providerId}: a JSON answer was asked for but the answer holds none: ${text.slice(0, 200)}`, usage: summary.usage, isRetryable: true });
        }
        return { text, ...(json === undefined ? {} : { json }), usage: summary.usage, ...(summary.threadId === undefined ? {} : { sessionId: summary.threadId }) };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
  }

  async doCheck(options: CheckOptions = {}): Promise<CheckResult> {
    const keyVariable = this.#settings.apiKeyVariable ?? 'OPENAI_API_KEY';
    return checkCli({
      options,
      prepare: () => this.#prepare(options.cwd, undefined),
      installHint: INSTALL_HINT,
      authHint: AUTH_HINT,
      authentication: (run) => {
        const hasLogin = existsSync(join(run.codexHome ?? join(homedir(), '.codex'), 'auth.json'));
        return { isAuthenticated: Boolean(run.env[keyVariable] || run.env['CODEX_API_KEY']) || hasLogin, warning: `No ${keyVariable} and no Codex login found.` };
      },
    });
  }
}

/** Creates a provider that runs tasks through the Codex CLI (`codex exec --json`). */
export function createCodexCli(settings: CodexCliSettings = {}): LLMProviderV1 {
  return new CodexCliProvider(settings);
}

/** The Codex CLI provider with default settings. */
export const codexCli: LLMProviderV1 = createCodexCli();
