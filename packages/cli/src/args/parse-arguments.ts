import { parseArgs } from 'node:util';
import { type ConfigOverrides, ConfigSchema } from '@qoder-orch/core';
import { UsageError } from '../cli/usage-error';

/** Options every command understands. */
export interface CommonOptions {
  /** The project (git repository); relative to the current directory. */
  projectDir?: string;
  /** An explicit config file instead of `<project>/.qoder-orchestrate.yaml`. */
  configPath?: string;
  /** From the flags; merged over file and environment by `loadConfig`. */
  overrides: ConfigOverrides;
  isJson: boolean;
  isVerbose: boolean;
  /** `false` with `--no-color`. */
  isColorAllowed: boolean;
  /** `--redis`: task attempts run on workers through this queue instead of in this process. */
  queue?: QueueSettings;
  /** `--branch <name>`: the run works on a new branch of its own (`--pr` alone: `qoder-orch/run-<run-id>`). */
  branch?: string;
  /** `--pr`: the run's branch is pushed to `remote` and a draft pull request opened (`--remote`, default origin). */
  pullRequest?: { remote: string };
}

/** Queue execution: where the queue is, its name, and the git remote code travels through. */
export interface QueueSettings {
  redis: string;
  /** A remote name of the project's repository or a git URL the workers reach. @default 'origin' */
  remote: string;
  queue?: string;
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; objective: string; isPlanOnly: boolean; isValidateOnly: boolean; options: CommonOptions }
  /** `runId` undefined: the newest interrupted run. */
  | { kind: 'resume'; runId?: string; options: CommonOptions }
  | { kind: 'demo'; options: CommonOptions }
  /** `worktrees`: the task worktrees kept outside the project; `prune` removes those too. */
  | { kind: 'checkpoints'; action: 'list' | 'prune' | 'worktrees'; runId?: string; options: CommonOptions }
  | { kind: 'runs'; options: CommonOptions }
  /** Writes `.qoder-orchestrate.yaml`; `isForced` writes over an existing one. */
  | { kind: 'init'; isForced: boolean; options: CommonOptions }

  /** `worker --redis <url> --workdir <dir>`: takes task attempts from the queue until stopped. */
  | { kind: 'worker'; redis: string; workdir: string; concurrency: number; queue?: string; provider?: string; options: CommonOptions }
  /** `worker prune [--remote origin] [--older-than 7d]`: deletes the refs of runs that are over from the shared git remote. */
  | { kind: 'worker-prune'; remote: string; olderThanMs: number; options: CommonOptions };

const OPTIONS = {
  'project-dir': { type: 'string' },
  'max-parallel': { type: 'string' },
  'max-iterations': { type: 'string' },
  'llm-provider': { type: 'string' },
  'plan-provider': { type: 'string' },
  'judge-provider': { type: 'string' },
  'auto-rollback': { type: 'boolean' },
  'allow-dirty': { type: 'boolean' },
  'accept-check-changes': { type: 'boolean' },
  'validate-only': { type: 'boolean' },
  config: { type: 'string' },
  'plan-only': { type: 'boolean' },
  resume: { type: 'boolean' },
  json: { type: 'boolean' },
  'budget-usd': { type: 'string' },
  'on-usage-limit': { type: 'string' },
  isolation: { type: 'string' },
  verbose: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  run: { type: 'string' },
  force: { type: 'boolean' },
  redis: { type: 'string' },
  remote: { type: 'string' },
  branch: { type: 'string' },
  pr: { type: 'boolean' },
  queue: { type: 'string' },
  workdir: { type: 'string' },
  concurrency: { type: 'string' },
  'older-than': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const SUBCOMMANDS = new Set(['run', 'demo', 'checkpoints', 'runs', 'init', 'worker', 'help']);
/** Flags only one command reads (`worker prune` counts as its own command). */
const FLAGS_OF_ONE_COMMAND: Readonly<Record<string, readonly string[]>> = { 'older-than': ['worker prune'], workdir: ['worker'], concurrency: ['worker'], run: ['checkpoints'], force: ['init'] };
const HELP_HINT = 'Run `qoder-orchestrate --help` for usage and examples.';
const WORKER_USAGE = 'Usage: qoder-orchestrate worker --redis <url> --workdir <dir> [--concurrency N] [--llm-provider name] [--queue name]';
const PRUNE_USAGE = 'Usage: qoder-orchestrate worker prune [--remote origin] [--older-than 7d] [--project-dir <dir>]';
const DURATION_UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--older-than 7d` (also `12h`, `30m`) in milliseconds. */
function durationFlag(raw: string | undefined): number {
  if (raw === undefined) return 7 * DURATION_UNITS_MS['d']!;
  const match = /^\s*(\d+)\s*([mhd])\s*$/.exec(raw);
  if (!match) throw new UsageError(`--older-than must be a whole number of minutes, hours or days (got ${JSON.stringify(raw)}).`, 'For example: --older-than 7d, --older-than 12h');
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
}

/** `--resume=ID` → `--resume ID`, so `--resume` can stay a flag with an optional value. */
function normaliseResume(argv: readonly string[]): string[] {
  return argv.flatMap((argument) => (argument.startsWith('--resume=') ? ['--resume', argument.slice('--resume='.length)] : [argument]));
}

function integerFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) throw new UsageError(`--${name} must be a whole number (got ${JSON.stringify(raw)}).`, `For example: --${name} 3`);
  return Number(raw);
}

function numberFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number (got ${JSON.stringify(raw)}).`, `For example: --${name} 2.50`);
  return value;
}

const FLAG_OF_KEY: Record<string, string> = {
  'execution.maxParallel': 'max-parallel',
  'execution.maxIterations': 'max-iterations',
  'execution.budgetUsd': 'budget-usd',
  'execution.isolation': 'isolation',
  'llm.provider': 'llm-provider',
  'llm.planProvider': 'plan-provider',
  'llm.judgeProvider': 'judge-provider',
  'retry.onUsageLimit': 'on-usage-limit',
};

/** Flags → config overrides (the SDK's camelCase keys), validated against the config schema. */
function overridesFrom(values: Record<string, string | boolean | undefined>): ConfigOverrides {
  const execution: NonNullable<ConfigOverrides['execution']> = {};
  const maxParallel = integerFlag('max-parallel', values['max-parallel'] as string | undefined);
  const maxIterations = integerFlag('max-iterations', values['max-iterations'] as string | undefined);
  const budget = numberFlag('budget-usd', values['budget-usd'] as string | undefined);
  const isolation = values['isolation'] as string | undefined;
  if (maxParallel !== undefined) execution.maxParallel = maxParallel;
  if (maxIterations !== undefined) execution.maxIterations = maxIterations;
  if (budget !== undefined) execution.budgetUsd = budget;
  if (isolation !== undefined) {
    if (isolation !== 'worktree' && isolation !== 'shared' && isolation !== 'auto') {
      throw new UsageError(`--isolation must be worktree or shared (got ${JSON.stringify(isolation)}).`, 'worktree: each task in its own git worktree; shared: all tasks in the repository.');
    }
    execution.isolation = isolation;
  }
  if (values['allow-dirty'] === true) execution.allowDirty = true;
  if (values['accept-check-changes'] === true) execution.acceptCheckChanges = true;
  const overrides: ConfigOverrides = {};
  if (Object.keys(execution).length > 0) overrides.execution = execution;
  const provider = values['llm-provider'] as string | undefined;
  if (provider !== undefined) {
    if (provider.trim() === '') throw new UsageError('--llm-provider needs a name.', 'One of qoder, claude, codex, gemini, or a path to a module that exports a provider.');
    overrides.llm = { provider };
  }
  for (const [flag, key] of [
    ['plan-provider', 'planProvider'],
    ['judge-provider', 'judgeProvider'],
  ] as const) {
    const name = values[flag] as string | undefined;
    if (name === undefined) continue;
    if (name.trim() === '') throw new UsageError(`--${flag} needs a name.`, 'An AI SDK model such as ai-sdk:anthropic/claude-sonnet-4-5, or a provider name as --llm-provider takes.');
    overrides.llm = { ...overrides.llm, [key]: name.trim() };
  }
  if (values['auto-rollback'] === true) overrides.rollback = { autoRollbackOnFailure: true };
  const onUsageLimit = values['on-usage-limit'] as string | undefined;
  if (onUsageLimit !== undefined) {
    if (onUsageLimit !== 'wait' && onUsageLimit !== 'exit')
      throw new UsageError(`--on-usage-limit must be wait or exit (got ${JSON.stringify(onUsageLimit)}).`, 'wait: pause until the limit resets and continue; exit: stop resumable (--resume waits for the reset).');
    overrides.retry = { onUsageLimit };
  }
  const ranges: Array<[string, number | undefined, number, number]> = [
    ['max-parallel', maxParallel, 1, 64],
    ['max-iterations', maxIterations, 1, 50],
  ];
  for (const [flag, value, low, high] of ranges) {
    if (value !== undefined && (value < low || value > high)) throw new UsageError(`--${flag} must be from ${low} to ${high} (got ${value}).`, HELP_HINT);
  }
  if (budget !== undefined && budget <= 0) throw new UsageError(`--budget-usd must be more than 0 (got ${budget}).`, 'For example: --budget-usd 2.50');
  const checked = ConfigSchema.safeParse(overrides);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const key = issue.path.join('.');
    const flag = FLAG_OF_KEY[key];
    throw new UsageError(`Invalid value for ${flag ? `--${flag}` : key}: ${issue.message}.`, HELP_HINT);
  }
  return overrides;
}

/** `--branch <name>`, `--pr`, `--remote <name>` (the branch name itself is checked by git when the run begins). */
function deliveryOptions(values: { branch?: string | undefined; pr?: boolean | undefined; remote?: string | undefined }): Pick<CommonOptions, 'branch' | 'pullRequest'> {
  const branch = values.branch?.trim();
  if (values.branch !== undefined && !branch) throw new UsageError('--branch needs a name.', 'For example: --branch feature/login');
  const remote = values.remote?.trim() || 'origin';
  if (values.pr === true && remote.startsWith('-')) throw new UsageError(`--remote must name a git remote (got ${JSON.stringify(remote)}).`, 'For example: --pr --remote origin');
  return { ...(branch ? { branch } : {}), ...(values.pr === true ? { pullRequest: { remote } } : {}) };
}

/**
 * Parses `qoder-orchestrate` arguments into a command. Throws {@link UsageError} (exit 3) for
 * unknown flags, missing or bad values and contradictory combinations.
 */
export function parseArguments(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: normaliseResume(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const lines = (error instanceof Error ? error.message : String(error)).split('\n').filter(Boolean);
    const first = (lines[0] ?? 'Invalid arguments.').replace(/\. To specify a positional argument.*$/, '.');
    // Node explains "ambiguous" values (starting with "-") on its next lines; keep that advice.
    throw new UsageError(first, lines.length > 1 ? lines.slice(1).join(' ') : HELP_HINT);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const options: CommonOptions = {
    ...(values['project-dir'] === undefined ? {} : { projectDir: values['project-dir'] }),
    ...(values.config === undefined ? {} : { configPath: values.config }),
    overrides: overridesFrom(values),
    isJson: values.json === true,
    isVerbose: values.verbose === true,
    isColorAllowed: values['no-color'] !== true,
  };
  const redis = values.redis?.trim();
  const isWorkerPrune = positionals[0] === 'worker' && positionals[1] === 'prune';
  if (values.redis !== undefined && !redis) throw new UsageError('--redis needs a URL.', 'For example: --redis redis://127.0.0.1:6379');
  if (redis) options.queue = { redis, remote: values.remote?.trim() || 'origin', ...(values.queue?.trim() ? { queue: values.queue.trim() } : {}) };
  else if (values.queue !== undefined || (values.remote !== undefined && values.pr !== true && !isWorkerPrune)) {
    throw new UsageError('--remote needs --redis or --pr, and --queue needs --redis.', 'Queue execution: --redis redis://host:6379 [--remote origin] [--queue name]; a pull request: --pr [--remote origin].');
  }
  Object.assign(options, deliveryOptions(values));
  if (values['project-dir'] !== undefined && values['project-dir'].trim() === '') throw new UsageError('--project-dir needs a directory.', HELP_HINT);

  let rest = [...positionals];
  const first = rest[0];
  const subcommand = first !== undefined && SUBCOMMANDS.has(first) ? first : undefined;
  if (subcommand) rest = rest.slice(1);

  const refuse = (flag: string, where: string) => {
    throw new UsageError(`${flag} cannot be used with ${where}.`, HELP_HINT);
  };
  const isPlanOnly = values['plan-only'] === true;
  const isValidateOnly = values['validate-only'] === true;
  const deliveryFlag = options.pullRequest ? '--pr' : options.branch !== undefined ? '--branch' : undefined;
  if (deliveryFlag !== undefined && subcommand !== undefined && subcommand !== 'run') refuse(deliveryFlag, subcommand);
  if (deliveryFlag !== undefined && (isPlanOnly || isValidateOnly)) refuse(deliveryFlag, isPlanOnly ? '--plan-only' : '--validate-only');

  // A flag of another command would be read by nothing here: refused, never silently ignored
  // (`checkpoints prune --older-than 7d` would otherwise prune every run's refs, recent ones too).
  const command = subcommand === 'worker' && rest[0] === 'prune' ? 'worker prune' : (subcommand ?? 'run');
  for (const [flag, commands] of Object.entries(FLAGS_OF_ONE_COMMAND)) {
    if (values[flag as keyof typeof values] !== undefined && !commands.includes(command)) {
      throw new UsageError(`--${flag} belongs to ${commands.map((name) => `\`${name}\``).join(' and ')}; \`${command}\` would ignore it.`, HELP_HINT);
    }
  }

  switch (subcommand) {
    case 'help':
      return { kind: 'help' };
    case 'demo':
      if (rest.length > 0) throw new UsageError(`demo takes no objective (got ${JSON.stringify(rest[0])}).`, 'The demo always works on "Add due dates to todos" in a copy of examples/todo-app.');
      if (values.resume) refuse('--resume', 'demo');
      return { kind: 'demo', options };
    case 'init':
      if (rest.length > 0)
        throw new UsageError(`init takes no arguments (got ${JSON.stringify(rest[0])}).`, 'qoder-orchestrate init [--project-dir <dir>] [--llm-provider <name>] [--plan-provider <name>] [--judge-provider <name>] [--force]');
      return { kind: 'init', isForced: values.force === true, options };
    case 'runs':
      if (rest.length > 0) throw new UsageError(`runs takes no arguments (got ${JSON.stringify(rest[0])}).`, 'qoder-orchestrate runs --project-dir <dir>');
      return { kind: 'runs', options };
    case 'worker': {
      if (rest[0] === 'prune') {
        if (rest.length > 1) throw new UsageError(`worker prune takes no arguments (got ${JSON.stringify(rest[1])}).`, PRUNE_USAGE);
        if (redis) throw new UsageError('worker prune needs no --redis: it works on the git remote.', PRUNE_USAGE);
        return { kind: 'worker-prune', remote: values.remote?.trim() || 'origin', olderThanMs: durationFlag(values['older-than']), options };
      }
      if (rest.length > 0) throw new UsageError(`worker takes no arguments (got ${JSON.stringify(rest[0])}).`, WORKER_USAGE);
      if (!redis) throw new UsageError('worker needs --redis.', WORKER_USAGE);
      const workdir = values.workdir?.trim();
      if (!workdir) throw new UsageError('worker needs --workdir.', WORKER_USAGE);
      const concurrency = integerFlag('concurrency', values.concurrency) ?? 1;
      if (concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be from 1 to 64 (got ${concurrency}).`, WORKER_USAGE);
      const provider = values['llm-provider']?.trim();
      return { kind: 'worker', redis, workdir, concurrency, ...(options.queue?.queue ? { queue: options.queue.queue } : {}), ...(provider ? { provider } : {}), options };
    }
    case 'checkpoints': {
      const action = rest[0] ?? 'list';
      if (action !== 'list' && action !== 'prune' && action !== 'worktrees') {
        throw new UsageError(`Unknown checkpoints action ${JSON.stringify(action)}.`, 'Use `qoder-orchestrate checkpoints list`, `qoder-orchestrate checkpoints worktrees` or `qoder-orchestrate checkpoints prune [--run <runId>]`.');
      }
      if (rest.length > 1) throw new UsageError(`Unexpected argument ${JSON.stringify(rest[1])}.`, 'Name a run with --run <runId>.');
      return { kind: 'checkpoints', action, ...(values.run === undefined ? {} : { runId: values.run }), options };
    }
    default:
      break;
  }

  if (values.resume) {
    if (isPlanOnly) refuse('--plan-only', '--resume');
    if (isValidateOnly) refuse('--validate-only', '--resume');
    if (rest.length > 1) throw new UsageError('--resume takes at most one run id.', 'qoder-orchestrate --resume [runId]; list runs with `qoder-orchestrate runs`.');
    const runId = rest[0];
    return { kind: 'resume', ...(runId === undefined ? {} : { runId }), options };
  }
  if (isPlanOnly && isValidateOnly) refuse('--plan-only', '--validate-only');
  if (rest.length === 0 && isValidateOnly) return { kind: 'run', objective: '', isPlanOnly, isValidateOnly, options };
  if (rest.length === 0) throw new UsageError('No objective given.', 'Usage: qoder-orchestrate "<objective>" [options]. ' + HELP_HINT);
  if (rest.length > 1) {
    throw new UsageError(`Expected one objective but got ${rest.length} arguments.`, 'Quote the objective: qoder-orchestrate "Add due dates to todos"');
  }
  const objective = rest[0]!.trim();
  if (objective === '') throw new UsageError('The objective is empty.', 'Describe what you want done, e.g. qoder-orchestrate "Add due dates to todos"');
  return { kind: 'run', objective, isPlanOnly, isValidateOnly, options };
}
