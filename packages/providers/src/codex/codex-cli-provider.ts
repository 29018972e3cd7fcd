import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentEvent,
  type AgentProviderV1,
  type CheckOptions,
  type CheckResult,
  type CompleteOptions,
  type CompleteResult,
  type PermissionMode,
  ProviderError,
  type RunTaskOptions,
  type RunTaskResult,
  redactOutput,
  secretValuesFrom,
} from '@qoder-orch/core';
import { checkCliVersion } from '../process/check-cli-version';
import { buildChildEnvironment } from '../process/child-environment';
import { extractJson } from '../process/extract-json';
import { resolveExecutable } from '../process/resolve-executable';
import { runAgentProcess } from '../process/run-agent-process';
import { CODEX_SANDBOXES, codexConfigArguments } from './codex-arguments';
import { CodexEventParser } from './codex-event-parser';
import { interpretCodexRun } from './interpret-codex-run';

/** Settings of the Codex CLI provider. Every field is optional. */
export interface CodexCliSettings {
  /** The `codex` executable. @default `codex` from the project's `node_modules/.bin`, then `PATH` */
  executable?: string;
  /** Extra environment for every run (API keys …). Never logged. */
  env?: Readonly<Record<string, string>>;
  /** Outer timeout of a task run, in ms. @default 1_800_000 (30 min) */
  timeoutMs?: number;
  /** Outer timeout of a completion, in ms. @default 600_000 (10 min) */
  completeTimeoutMs?: number;
  /** @default 5_000 */
  killGraceMs?: number;
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
  extraArgs?: readonly string[];
  /** @default 'codex-cli' */
  providerId?: string;
}

const INSTALL_HINT = 'Install Codex (`npm install -g @openai/codex`) or set `executable` to the `codex` binary.';
const AUTH_HINT = 'Set OPENAI_API_KEY (or the `apiKeyVariable` you configured), or run `codex login`.';
const CODEX_PREFIXES = ['OPENAI_', 'CODEX_', 'AZURE_OPENAI_'];

interface PreparedRun {
  executable: string;
  env: Record<string, string>;
  secrets: string[];
  codexHome: string | undefined;
  cleanup: () => Promise<void>;
}

class CodexCliProvider implements AgentProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: CodexCliSettings;

  constructor(settings: CodexCliSettings) {
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'codex-cli';
  }

  async #prepare(cwd: string | undefined, optionsEnv: Readonly<Record<string, string>> | undefined): Promise<PreparedRun> {
    const settings = this.#settings;
    const executable = resolveExecutable(settings.executable, ['codex'], cwd);
    if (!executable) throw new ProviderError({ providerId: this.providerId, code: 'NOT_INSTALLED', message: `${this.providerId}: the \`codex\` executable was not found in node_modules/.bin or on PATH`, fix: INSTALL_HINT });
    let codexHome = settings.configDir;
    let cleanup = async () => {};
    if (!codexHome && settings.isolateConfig) {
      const isolated = await mkdtemp(join(tmpdir(), 'qoder-orch-codex-'));
      codexHome = isolated;
      cleanup = () => rm(isolated, { recursive: true, force: true });
    }
    const keyVariable = settings.apiKeyVariable ?? 'OPENAI_API_KEY';
    const parentKey = process.env[keyVariable];
    const env = buildChildEnvironment({
      parent: process.env,
      providerPrefixes: CODEX_PREFIXES,
      settingsEnv: { ...(parentKey ? { [keyVariable]: parentKey } : {}), ...settings.env },
      optionsEnv,
      fixed: codexHome ? { CODEX_HOME: codexHome } : {},
    });
    return { executable, env, secrets: secretValuesFrom(env, { ...settings.env, ...optionsEnv }), codexHome, cleanup };
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

  async #run(input: {
    run: PreparedRun;
    args: string[];
    prompt: string;
    cwd: string;
    timeoutMs: number;
    abortSignal: AbortSignal | undefined;
    onEvent: ((event: AgentEvent) => void) | undefined;
  }) {
    const settings = this.#settings;
    const parser = new CodexEventParser({ redact: (text) => redactOutput(text, input.run.secrets), onEvent: input.onEvent });
    const stallTimeoutMs = settings.stallTimeoutMs ?? 240_000;
    const processResult = await runAgentProcess({
      executable: input.run.executable,
      args: input.args,
      cwd: input.cwd,
      env: input.run.env,
      input: input.prompt,
      timeoutMs: input.timeoutMs,
      stallTimeoutMs,
      killGraceMs: settings.killGraceMs ?? 5_000,
      abortSignal: input.abortSignal,
      onStdoutLine: (line) => parser.push(line),
      // A running tool command is silence by design, not a stall.
      isBusy: () => parser.hasPendingToolCalls(),
    });
    const summary = parser.summary();
    const failure = interpretCodexRun({ providerId: this.providerId, summary, process: processResult, secrets: input.run.secrets, timeoutMs: input.timeoutMs, stallTimeoutMs, installHint: INSTALL_HINT, authHint: AUTH_HINT });
    if (failure) throw failure;
    return { summary, processResult };
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const settings = this.#settings;
    const run = await this.#prepare(options.cwd, options.env);
    try {
      const common = this.#commonArguments(CODEX_SANDBOXES[options.permissionMode ?? settings.permissionMode ?? 'acceptEdits'], options.model ?? settings.model);
      // The prompt goes on stdin (`-`); Codex has no system prompt flag, so the subagent's
      // instructions follow the task (its first line keeps the orchestrator's marker).
      const args = options.resumeSessionId ? ['exec', ...common, 'resume', options.resumeSessionId, '-'] : ['exec', ...common, '-'];
      const prompt = options.systemPrompt ? `${options.prompt}\n\n## Instructions for your role\n${options.systemPrompt}` : options.prompt;
      const { summary, processResult } = await this.#run({ run, args, prompt, cwd: options.cwd, timeoutMs: options.timeoutMs ?? settings.timeoutMs ?? 1_800_000, abortSignal: options.abortSignal, onEvent: options.onEvent });
      return {
        summary: summary.texts.at(-1) ?? '',
        usage: summary.usage,
        ...(summary.threadId === undefined ? {} : { sessionId: summary.threadId }),
        durationMs: processResult.durationMs,
      };
    } finally {
      await run.cleanup();
    }
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const settings = this.#settings;
    const run = await this.#prepare(options.cwd, undefined);
    const scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-codex-schema-'));
    try {
      const args = ['exec', ...this.#commonArguments('read-only', options.model ?? settings.model), '--ephemeral'];
      if (options.jsonSchema) {
        const schemaFile = join(scratch, 'schema.json');
        await writeFile(schemaFile, JSON.stringify(options.jsonSchema));
        args.push('--output-schema', schemaFile);
      }
      args.push('-');
      const prompt = options.system ? `${options.prompt}\n\n## Instructions\n${options.system}` : options.prompt;
      const { summary } = await this.#run({ run, args, prompt, cwd: options.cwd ?? process.cwd(), timeoutMs: options.timeoutMs ?? settings.completeTimeoutMs ?? 600_000, abortSignal: options.abortSignal, onEvent: undefined });
      const text = summary.texts.at(-1) ?? '';
      const json = options.jsonSchema ? extractJson(text) : undefined;
      if (options.jsonSchema && json === undefined) {
        throw new ProviderError({ providerId: this.providerId, code: 'BAD_OUTPUT', message: `${this.providerId}: a JSON answer was asked for but the answer holds none: ${text.slice(0, 200)}`, usage: summary.usage, isRetryable: true });
      }
      return { text, ...(json === undefined ? {} : { json }), usage: summary.usage, ...(summary.threadId === undefined ? {} : { sessionId: summary.threadId }) };
    } finally {
      await rm(scratch, { recursive: true, force: true });
      await run.cleanup();
    }
  }

  async doCheck(options: CheckOptions = {}): Promise<CheckResult> {
    let run: PreparedRun;
    try {
      run = await this.#prepare(options.cwd, undefined);
    } catch (error) {
      return { installed: false, authenticated: 'unknown', problems: [{ severity: 'error', message: (error as Error).message, fix: INSTALL_HINT }] };
    }
    try {
      const check = await checkCliVersion({ executable: run.executable, env: run.env, cwd: options.cwd, abortSignal: options.abortSignal, timeoutMs: options.timeoutMs, installHint: INSTALL_HINT, secrets: run.secrets });
      const keyVariable = this.#settings.apiKeyVariable ?? 'OPENAI_API_KEY';
      const hasLogin = existsSync(join(run.codexHome ?? join(homedir(), '.codex'), 'auth.json'));
      const isAuthenticated = Boolean(run.env[keyVariable] || run.env['CODEX_API_KEY']) || hasLogin;
      const problems = [...check.problems];
      if (check.installed && !isAuthenticated) problems.push({ severity: 'warning', message: `No ${keyVariable} and no Codex login found.`, fix: AUTH_HINT });
      return { ...check, problems, authenticated: isAuthenticated ? true : 'unknown' };
    } finally {
      await run.cleanup();
    }
  }
}

/** Creates a provider that runs tasks through the Codex CLI (`codex exec --json`). */
export function createCodexCli(settings: CodexCliSettings = {}): AgentProviderV1 {
  return new CodexCliProvider(settings);
}

/** The Codex CLI provider with default settings. */
export const codexCli: AgentProviderV1 = createCodexCli();
