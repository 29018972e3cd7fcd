import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CLI_VERSION, EXIT_CODES, HELP_TEXT, parseArguments, runCli, UsageError } from '../index';
import { captureIo } from '../testing/capture-output';

describe('parseArguments', () => {
  it('maps the flags onto config overrides in snake_case sections', () => {
    const command = parseArguments([
      'Add due dates',
      '--max-parallel',
      '4',
      '--max-iterations',
      '2',
      '--llm-provider',
      'claude',
      '--budget-usd',
      '2.5',
      '--isolation',
      'shared',
      '--auto-rollback',
      '--allow-dirty',
      '--accept-check-changes',
      '--project-dir',
      'app',
      '--config',
      'ci.yaml',
      '--verbose',
      '--no-color',
    ]);
    expect(command).toEqual({
      kind: 'run',
      objective: 'Add due dates',
      isPlanOnly: false,
      isValidateOnly: false,
      options: {
        projectDir: 'app',
        configPath: 'ci.yaml',
        overrides: {
          execution: { maxParallel: 4, maxIterations: 2, budgetUsd: 2.5, isolation: 'shared', allowDirty: true, acceptCheckChanges: true },
          llm: { provider: 'claude' },
          rollback: { autoRollbackOnFailure: true },
        },
        isJson: false,
        isVerbose: true,
        isColorAllowed: false,
      },
    });
  });

  it('leaves unset flags out so the file and the environment still apply', () => {
    const command = parseArguments(['x']);
    expect(command).toMatchObject({ kind: 'run', options: { overrides: {} } });
  });

  it('reads --on-usage-limit as retry.onUsageLimit', () => {
    expect(parseArguments(['x', '--on-usage-limit', 'exit'])).toMatchObject({ kind: 'run', options: { overrides: { retry: { onUsageLimit: 'exit' } } } });
    expect(parseArguments(['--resume', 'r1', '--on-usage-limit=wait'])).toMatchObject({ options: { overrides: { retry: { onUsageLimit: 'wait' } } } });
  });

  it('reads --resume with and without a run id', () => {
    expect(parseArguments(['--resume'])).toMatchObject({ kind: 'resume' });
    expect(parseArguments(['--resume'])).not.toHaveProperty('runId');
    expect(parseArguments(['--resume', '20261125-174512-ab12', '--json'])).toMatchObject({ kind: 'resume', runId: '20261125-174512-ab12', options: { isJson: true } });
    expect(parseArguments(['--resume=abc'])).toMatchObject({ kind: 'resume', runId: 'abc' });
  });

  it('knows the subcommands', () => {
    expect(parseArguments(['demo'])).toMatchObject({ kind: 'demo' });
    expect(parseArguments(['runs', '--json'])).toMatchObject({ kind: 'runs', options: { isJson: true } });
    expect(parseArguments(['checkpoints'])).toMatchObject({ kind: 'checkpoints', action: 'list' });
    expect(parseArguments(['checkpoints', 'prune', '--run', 'r1'])).toMatchObject({ kind: 'checkpoints', action: 'prune', runId: 'r1' });
    expect(parseArguments(['checkpoints', 'worktrees'])).toMatchObject({ kind: 'checkpoints', action: 'worktrees' });
    expect(parseArguments(['run', 'demo'])).toMatchObject({ kind: 'run', objective: 'demo' });
    expect(parseArguments(['--validate-only'])).toMatchObject({ kind: 'run', isValidateOnly: true });
    expect(parseArguments(['x', '--plan-only'])).toMatchObject({ kind: 'run', isPlanOnly: true });
  });

  it.each([
    [['--max-parallel', '0', 'x'], '--max-parallel must be from 1 to 64 (got 0).'],
    [['--max-parallel', 'many', 'x'], '--max-parallel must be a whole number (got "many").'],
    [['--max-iterations', '99', 'x'], '--max-iterations must be from 1 to 50 (got 99).'],
    [['--budget-usd', 'lots', 'x'], '--budget-usd must be a number (got "lots").'],
    [['--budget-usd', '0', 'x'], '--budget-usd must be more than 0 (got 0).'],
    [['--isolation', 'docker', 'x'], '--isolation must be worktree or shared (got "docker").'],
    [['--on-usage-limit', 'retry', 'x'], '--on-usage-limit must be wait or exit (got "retry").'],
    [['--frobnicate', 'x'], "Unknown option '--frobnicate'."],
    [[], 'No objective given.'],
    [['   '], 'The objective is empty.'],
    [['Add', 'due', 'dates'], 'Expected one objective but got 3 arguments.'],
    [['x', '--plan-only', '--validate-only'], '--plan-only cannot be used with --validate-only.'],
    [['--resume', 'a', '--plan-only'], '--plan-only cannot be used with --resume.'],
    [['checkpoints', 'explode'], 'Unknown checkpoints action "explode".'],
    [['demo', 'something'], 'demo takes no objective (got "something").'],
  ])('refuses %j with a clear message', (argv, message) => {
    let error: unknown;
    try {
      parseArguments(argv);
    } catch (caught) {
      error = caught;
    }
    expect(UsageError.isInstance(error)).toBe(true);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).fix).toBeTruthy();
    expect((error as UsageError).code).toBe('CONFIG_INVALID');
  });
});

describe('parseArguments: queue execution', () => {
  it('reads worker with its flags, and --redis on a run as queue settings (remote origin by default)', () => {
    expect(parseArguments(['worker', '--redis', 'redis://q:6379', '--workdir', 'w', '--concurrency', '4', '--llm-provider', 'claude', '--queue', 'tasks'])).toMatchObject({
      kind: 'worker',
      redis: 'redis://q:6379',
      workdir: 'w',
      concurrency: 4,
      queue: 'tasks',
      provider: 'claude',
    });
    expect(parseArguments(['worker', '--redis', 'redis://q:6379', '--workdir', 'w'])).toMatchObject({ kind: 'worker', concurrency: 1 });
    expect(parseArguments(['Build it', '--redis', 'redis://q:6379'])).toMatchObject({ kind: 'run', options: { queue: { redis: 'redis://q:6379', remote: 'origin' } } });
    expect(parseArguments(['Build it', '--redis', 'redis://q:6379', '--remote', '/srv/repo.git', '--queue', 'x'])).toMatchObject({ options: { queue: { redis: 'redis://q:6379', remote: '/srv/repo.git', queue: 'x' } } });
    expect(parseArguments(['Build it']).kind === 'run' && 'queue' in (parseArguments(['Build it']) as { options: object }).options).toBe(false);
  });

  it('reads worker prune with --remote and --older-than (7 days by default), and refuses a bad duration or --redis', () => {
    expect(parseArguments(['worker', 'prune'])).toMatchObject({ kind: 'worker-prune', remote: 'origin', olderThanMs: 7 * 86_400_000 });
    expect(parseArguments(['worker', 'prune', '--remote', 'shared', '--older-than', '12h'])).toMatchObject({ kind: 'worker-prune', remote: 'shared', olderThanMs: 12 * 3_600_000 });
    expect(() => parseArguments(['worker', 'prune', '--older-than', 'soon'])).toThrow('--older-than must be a whole number');
    expect(() => parseArguments(['worker', 'prune', '--redis', 'redis://q'])).toThrow('worker prune needs no --redis');
    expect(() => parseArguments(['worker', '--redis', 'redis://q', '--workdir', 'w', '--older-than', '1d'])).toThrow(UsageError);
  });

  it('refuses a flag of another command instead of ignoring it', () => {
    // `checkpoints prune` would have pruned every run's refs, the recent ones too.
    expect(() => parseArguments(['checkpoints', 'prune', '--older-than', '7d'])).toThrow('--older-than belongs to `worker prune`; `checkpoints` would ignore it.');
    expect(() => parseArguments(['Add a thing', '--older-than', '7d'])).toThrow('`run` would ignore it');
    expect(() => parseArguments(['runs', '--run', 'r1'])).toThrow('--run belongs to `checkpoints`');
    expect(() => parseArguments(['Add a thing', '--force'])).toThrow('--force belongs to `init`');
    expect(() => parseArguments(['worker', 'prune', '--workdir', 'w'])).toThrow('--workdir belongs to `worker`; `worker prune` would ignore it.');
    expect(() => parseArguments(['init', '--concurrency', '2'])).toThrow('--concurrency belongs to `worker`');
    // Where they belong they are read.
    expect(parseArguments(['checkpoints', 'prune', '--run', 'r1'])).toMatchObject({ kind: 'checkpoints', runId: 'r1' });
    expect(parseArguments(['init', '--force'])).toMatchObject({ kind: 'init', isForced: true });
  });

  it('refuses a worker without --redis or --workdir, a bad --concurrency, and --remote without --redis', () => {
    expect(() => parseArguments(['worker', '--workdir', 'w'])).toThrow('worker needs --redis.');
    expect(() => parseArguments(['worker', '--redis', 'redis://q'])).toThrow('worker needs --workdir.');
    expect(() => parseArguments(['worker', '--redis', 'redis://q', '--workdir', 'w', '--concurrency', '0'])).toThrow('--concurrency must be from 1 to 64');
    expect(() => parseArguments(['worker', '--redis', 'redis://q', '--workdir', 'w', 'extra'])).toThrow(UsageError);
    expect(() => parseArguments(['Build it', '--remote', 'origin'])).toThrow('--remote needs --redis or --pr, and --queue needs --redis.');
    expect(() => parseArguments(['Build it', '--pr', '--queue', 'x'])).toThrow('--queue needs --redis');
    expect(() => parseArguments(['Build it', '--redis', ' '])).toThrow('--redis needs a URL.');
  });

  it('--branch, --pr and --pr --remote; refused where no run commits (plan only, validate only, other commands)', () => {
    expect(parseArguments(['Build it', '--branch', 'feature/x'])).toMatchObject({ kind: 'run', options: { branch: 'feature/x' } });
    expect(parseArguments(['Build it', '--pr'])).toMatchObject({ options: { pullRequest: { remote: 'origin' } } });
    expect(parseArguments(['Build it', '--pr', '--remote', 'upstream', '--branch', 'b'])).toMatchObject({ options: { branch: 'b', pullRequest: { remote: 'upstream' } } });
    expect(parseArguments(['--resume', 'r1', '--pr'])).toMatchObject({ kind: 'resume', runId: 'r1', options: { pullRequest: { remote: 'origin' } } });
    expect(() => parseArguments(['Build it', '--branch', ' '])).toThrow('--branch needs a name.');
    expect(() => parseArguments(['Build it', '--pr', '--plan-only'])).toThrow('--pr cannot be used with --plan-only.');
    expect(() => parseArguments(['--validate-only', '--branch', 'x'])).toThrow('--branch cannot be used with --validate-only.');
    expect(() => parseArguments(['demo', '--pr'])).toThrow('--pr cannot be used with demo.');
    expect(() => parseArguments(['Build it', '--pr', '--remote=--upload-pack=x'])).toThrow('--remote must name a git remote');
  });
});

describe('runCli', () => {
  it('prints help with examples, precedence and exit codes, and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(EXIT_CODES.met);
    expect(io.stdout.text()).toBe(HELP_TEXT);
    for (const part of ['Examples', 'later wins', 'QODER_ORCH_MAX_PARALLEL', '130', '--resume [runId]', '--isolation', '--budget-usd', 'qoder-orchestrate demo', 'state-changes.ndjson']) {
      expect(io.stdout.text()).toContain(part);
    }
  });

  it('prints its version, the one in package.json', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(0);
    const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(io.stdout.text().trim()).toBe(packageJson.version);
    expect(CLI_VERSION).toBe(packageJson.version);
  });

  it('answers invalid input with one error line, a hint and exit 3, nothing on stdout', async () => {
    const io = captureIo();
    expect(await runCli(['--max-parallel=-2', 'x'], io)).toBe(EXIT_CODES.invalidInput);
    expect(io.stdout.text()).toBe('');
    expect(io.stderr.text()).toBe('error: --max-parallel must be a whole number (got "-2").\nhint: For example: --max-parallel 3\n');
  });

  it('explains a value that looks like a flag', async () => {
    const io = captureIo();
    expect(await runCli(['--max-parallel', '-2', 'x'], io)).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toMatch(/^error: Option '--max-parallel' argument is ambiguous\.\nhint: .*--max-parallel=-XYZ/);
  });

  it('refuses a project directory that does not exist with exit 3', async () => {
    const io = captureIo({ cwd: '/' });
    expect(await runCli(['Add due dates', '--project-dir', '/no/such/dir'], io)).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toContain('The project directory /no/such/dir does not exist.');
  });

  it('refuses --resume of a run that does not exist with exit 3', async () => {
    const io = captureIo({ cwd: tmpdir() });
    expect(await runCli(['--resume', 'no-such-run', '--project-dir', '.'], io)).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toMatch(/^error: There is no run no-such-run in .*\nhint: List the runs with `qoder-orchestrate runs`\.\n$/);
  });

  it('lists no runs in an empty project', async () => {
    const io = captureIo({ cwd: '/tmp' });
    expect(await runCli(['runs', '--project-dir', '/tmp/qoder-orch-no-runs-here-' + process.pid], io)).toBe(EXIT_CODES.invalidInput);
    const empty = captureIo({ cwd: '/' });
    expect(await runCli(['runs', '--project-dir', '/'], empty)).toBe(0);
    expect(empty.stdout.text()).toBe('No runs in /.qoder-orch/runs.\n');
  });
});
