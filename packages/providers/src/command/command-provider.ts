import { type LLMProviderV1, type CheckOptions, type CheckResult, type CompleteOptions, type CompleteResult, OrchestratorError, ProviderError, type RunTaskOptions, type RunTaskResult, emptyUsage, redactOutput } from '@qoder-orch/spec';
import { runClaudeShaped } from '../claude/run-claude-shaped';
import { classifyProcessFailure, isCleanExit } from '../errors/classify-process-failure';
import { checkCliVersion } from '../process/check-cli-version';
import { extractJson } from '@qoder-orch/spec';
import { cliEnvironment, requireExecutable } from '../process/prepare-cli-run';
import { runAgentProcess } from '../process/run-agent-process';

/** Settings of the generic command provider: any agent CLI, described by a template. */
export interface CommandProviderSettings {
  /** The executable: a path, or a name looked up in the project's `node_modules/.bin` and on `PATH`. */
  executable: string;
  /**
   * Arguments of a task run. Placeholders `{prompt}`, `{cwd}`, `{taskId}`, `{systemPrompt}`,
   * `{model}`, `{permissionMode}` are replaced inside each argument; an argument never splits,
   * and nothing goes through a shell. @default []
   */
  args?: readonly string[];
  /** Arguments of a completion (same placeholders; `{taskId}` is `complete`). @default `args` */
  completeArgs?: readonly string[];
  /** `stdin` writes the prompt to the process; `argument` only substitutes `{prompt}`. @default 'stdin' */
  promptInput?: 'stdin' | 'argument';
  /**
   * How to read the output: `text` (stdout is the answer, the exit code tells success) or
   * `claude-json` (Claude Code's `json`/`stream-json` result object, as Qoder also prints). @default 'text'
   */
  outputFormat?: 'text' | 'claude-json';
  /** Prefixes of parent environment variables the command needs (beyond PATH, HOME, locale, proxies). @default [] */
  envPrefixes?: readonly string[];
  /** Extra environment. Never logged. */
  env?: Readonly<Record<string, string>>;
  /** @default 1_800_000 (30 min) */
  timeoutMs?: number;
  /** @default 5_000 */
  killGraceMs?: number;
  /** Kill the run when it prints nothing for this long. @default undefined (off) */
  stallTimeoutMs?: number;
  /** Arguments that print the version, for preflight. @default ['--version'] */
  versionArgs?: readonly string[];
  /** @default 'command' */
  providerId?: string;
}

const INSTALL_HINT = 'Check the `executable` of the command provider: it must exist and be executable.';
const AUTH_HINT = 'Give the command the credentials it needs through `env`.';

interface PreparedCommand {
  executable: string;
  env: Record<string, string>;
  secrets: string[];
}

function fill(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((argument) => argument.replace(/\{(prompt|cwd|taskId|systemPrompt|model|permissionMode)\}/g, (_match, name: string) => values[name] ?? ''));
}

class CommandProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: CommandProviderSettings;

  constructor(settings: CommandProviderSettings) {
    if (!settings.executable) {
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'The command provider needs an `executable`.', fix: 'Set `executable` to the agent CLI to run.' });
    }
    if (settings.promptInput === 'argument' && ![...(settings.args ?? []), ...(settings.completeArgs ?? [])].some((argument) => argument.includes('{prompt}'))) {
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'The command provider passes the prompt as an argument, but no argument contains `{prompt}`.', fix: 'Add `{prompt}` to `args`, or use promptInput `stdin`.' });
    }
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'command';
  }

  #prepare(cwd: string | undefined, optionsEnv: Readonly<Record<string, string>> | undefined): PreparedCommand {
    const settings = this.#settings;
    const executable = requireExecutable({ providerId: this.providerId, configured: settings.executable, names: [], cwd, description: `\`${settings.executable}\``, installHint: INSTALL_HINT });
    return { executable, ...cliEnvironment({ providerPrefixes: settings.envPrefixes ?? [], settingsEnv: settings.env, optionsEnv }) };
  }

  async #run(input: {
    template: readonly string[];
    values: Record<string, string>;
    prompt: string;
    cwd: string;
    env: Readonly<Record<string, string>> | undefined;
    timeoutMs: number | undefined;
    abortSignal: AbortSignal | undefined;
    isTask: boolean;
    onEvent?: RunTaskOptions['onEvent'];
  }) {
    const settings = this.#settings;
    const run = this.#prepare(input.cwd, input.env);
    const args = fill(input.template, { ...input.values, prompt: input.prompt });
    const stdin = settings.promptInput === 'argument' ? undefined : input.prompt;
    const timeoutMs = input.timeoutMs ?? settings.timeoutMs ?? 1_800_000;
    if (settings.outputFormat === 'claude-json') {
      const {
        outcome,
        process: processResult,
        summary,
      } = await runClaudeShaped({
        providerId: this.providerId,
        executable: run.executable,
        args,
        input: stdin,
        cwd: input.cwd,
        env: run.env,
        secrets: run.secrets,
        timeoutMs,
        stallTimeoutMs: settings.stallTimeoutMs,
        killGraceMs: settings.killGraceMs ?? 5_000,
        abortSignal: input.abortSignal,
        onEvent: input.onEvent,
        isDenialFailure: input.isTask,
        installHint: INSTALL_HINT,
        authHint: AUTH_HINT,
      });
      if (!outcome.isSuccess) throw outcome.error;
      return {
        text: redactOutput(outcome.result.result ?? summary.texts.at(-1) ?? '', run.secrets),
        usage: outcome.usage,
        costUsd: outcome.costUsd,
        sessionId: outcome.sessionId,
        durationMs: processResult.durationMs,
      };
    }
    const processResult = await runAgentProcess({
      executable: run.executable,
      args,
      input: stdin,
      cwd: input.cwd,
      env: run.env,
      timeoutMs,
      stallTimeoutMs: settings.stallTimeoutMs,
      killGraceMs: settings.killGraceMs ?? 5_000,
      abortSignal: input.abortSignal,
      onStdoutLine: (line) => input.onEvent?.({ type: 'text', text: redactOutput(line, run.secrets) }),
    });
    if (!isCleanExit(processResult)) {
      throw classifyProcessFailure({
        providerId: this.providerId,
        process: processResult,
        message: processResult.stderrTail || processResult.spawnErrorMessage,
        secrets: run.secrets,
        timeoutMs,
        stallTimeoutMs: settings.stallTimeoutMs,
        installHint: INSTALL_HINT,
        authHint: AUTH_HINT,
      });
    }
    return { text: redactOutput(processResult.stdout.trim(), run.secrets), usage: emptyUsage(), costUsd: undefined, sessionId: undefined, durationMs: processResult.durationMs };
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const values = { cwd: options.cwd, taskId: options.taskId, systemPrompt: options.systemPrompt ?? '', model: options.model ?? '', permissionMode: options.permissionMode ?? 'acceptEdits' };
    const result = await this.#run({
      template: this.#settings.args ?? [],
      values,
      prompt: options.prompt,
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs,
      abortSignal: options.abortSignal,
      isTask: true,
      onEvent: options.onEvent,
    });
    return {
      summary: result.text,
      usage: result.usage,
      ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
      ...(result.sessionId === undefined ? {} : { sessionId: result.sessionId }),
      durationMs: result.durationMs,
    };
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const cwd = options.cwd ?? process.cwd();
    const instructions = [options.system, options.jsonSchema ? `Answer with one JSON object only that follows this JSON Schema:\n${JSON.stringify(options.jsonSchema)}` : undefined].filter(Boolean).join('\n\n');
    const prompt = instructions ? `${options.prompt}\n\n## Instructions\n${instructions}` : options.prompt;
    const values = { cwd, taskId: 'complete', systemPrompt: options.system ?? '', model: options.model ?? '', permissionMode: 'plan' };
    const result = await this.#run({ template: this.#settings.completeArgs ?? this.#settings.args ?? [], values, prompt, cwd, env: undefined, timeoutMs: options.timeoutMs, abortSignal: options.abortSignal, isTask: false });
    const json = options.jsonSchema ? extractJson(result.text).value : undefined;
    if (options.jsonSchema && json === undefined) {
      throw new ProviderError({ providerId: this.providerId, code: 'BAD_OUTPUT', message: `${this.providerId}: a JSON answer was asked for but the output holds none: ${result.text.slice(0, 200)}`, usage: result.usage, isRetryable: true });
    }
    return { text: result.text, ...(json === undefined ? {} : { json }), usage: result.usage, ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }) };
  }

  async doCheck(options: CheckOptions = {}): Promise<CheckResult> {
    let run: PreparedCommand;
    try {
      run = this.#prepare(options.cwd, undefined);
    } catch (error) {
      return { installed: false, authenticated: 'unknown', problems: [{ severity: 'error', message: (error as Error).message, fix: INSTALL_HINT }] };
    }
    return checkCliVersion({
      executable: run.executable,
      env: run.env,
      cwd: options.cwd,
      args: this.#settings.versionArgs ?? ['--version'],
      abortSignal: options.abortSignal,
      timeoutMs: options.timeoutMs,
      installHint: INSTALL_HINT,
      secrets: run.secrets,
    });
  }
}

/**
 * Creates a provider for any agent CLI from an argument template, for tools qoder-orch does not
 * know. The prompt goes on stdin (or into `{prompt}`), the answer is stdout (or Claude's result object).
 */
export function createCommandProvider(settings: CommandProviderSettings): LLMProviderV1 {
  return new CommandProvider(settings);
}
