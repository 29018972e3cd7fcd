import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPreflightReport, isGitRepository, observeGitSpawns, type PreflightReport, runPreflight } from '../index';
import { MockAgentProvider } from '../test/index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';

const validSubagent = '---\nname: api-coder\ndescription: Writes API handlers.\ntools: Read, Edit\n---\nYou write API handlers.\n';
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function repository(files?: Record<string, string>): Promise<TemporaryRepository> {
  const created = await createTemporaryRepository(files);
  cleanups.push(created.cleanup);
  return created;
}

async function plainDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-plain-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

const byId = (report: PreflightReport, id: string) => report.checks.find((check) => check.id === id);

describe('runPreflight', () => {
  it('passes a clean repository with a valid config, valid subagents and a working provider', async () => {
    const repo = await repository({
      '.qoder-orchestrate.yaml': 'execution:\n  max_parallel: 4\nrollback:\n  auto_rollback_on_failure: true\n',
      'subagents/api-coder.md': validSubagent,
      '.claude/agents/reviewer.md': '---\nname: reviewer\ndescription: Reviews.\n---\nYou review.\n',
    });
    const provider = new MockAgentProvider({ check: { installed: true, version: '2.1.331', path: '/usr/bin/claude', authenticated: true, problems: [] } });
    const report = await runPreflight({ projectDir: repo.root, provider, minFreeDiskMb: 1 });
    expect(report.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(report).toMatchObject({ isPassed: true, hasWarnings: false });
    expect(byId(report, 'git.installed')?.message).toMatch(/^git \d+\.\d+/);
    expect(byId(report, 'provider.mock.installed')?.message).toBe('version 2.1.331 at /usr/bin/claude');
    expect(byId(report, 'subagents')?.message).toBe('2 subagent files valid.');
    expect(byId(report, 'config')?.message).toContain('is valid');
    expect(provider.calls.check).toHaveLength(1);
    const text = formatPreflightReport(report);
    expect(text).toMatch(/^VALIDATION REPORT\n/);
    expect(text).toContain('✓ Git installed: git ');
    expect(text).toContain('✓ Provider mock authentication: Signed in.');
    expect(text).toMatch(/RESULT: PASSED \(\d+ checks\)\n$/);
    expect(text).not.toMatch(/\u001B\[/);
  });

  it('checks the provider while the repository is checked, and lists the checks in their fixed order', async () => {
    const repo = await repository();
    // The provider's check starts before the work tree's `git status` and answers only once that
    // has started: both are under way at once.
    let hasStatusStarted = false;
    let sawStatus!: () => void;
    const statusStarted = new Promise<void>((resolve) => {
      sawStatus = resolve;
    });
    const stopObserving = observeGitSpawns((spawn) => {
      if (spawn.args[0] !== 'status') return;
      hasStatusStarted = true;
      sawStatus();
    });
    cleanups.push(async () => stopObserving());
    const provider = new MockAgentProvider({ check: { installed: true, version: '1.0.0', authenticated: true, problems: [] } });
    const check = provider.doCheck.bind(provider);
    let wasCheckedBeforeStatus: boolean | undefined;
    provider.doCheck = async (options) => {
      wasCheckedBeforeStatus = !hasStatusStarted;
      await statusStarted;
      return check(options);
    };
    const report = await runPreflight({ projectDir: repo.root, provider, minFreeDiskMb: 1 });
    expect(report.isPassed).toBe(true);
    expect(wasCheckedBeforeStatus).toBe(true);
    const ids = report.checks.map((entry) => entry.id);
    expect(ids.indexOf('git.worktree')).toBeLessThan(ids.indexOf('provider.mock.installed'));
    expect(ids.indexOf('provider.mock.installed')).toBeLessThan(ids.indexOf('config'));
  });

  it('fails a directory that is not a repository with the fix, warns when git is optional, and can initialise one', async () => {
    const directory = await plainDirectory();
    const report = await runPreflight({ projectDir: directory, minFreeDiskMb: 1 });
    expect(report.isPassed).toBe(false);
    expect(byId(report, 'git.repository')).toMatchObject({ status: 'fail', fix: expect.stringContaining('git init') });
    expect(formatPreflightReport(report)).toMatch(/✗ Git repository: .*\n {4}fix: Run `git init`/);
    const optional = await runPreflight({ projectDir: directory, isGitRequired: false, minFreeDiskMb: 1 });
    expect(byId(optional, 'git.repository')?.status).toBe('warn');
    expect(optional.isPassed).toBe(true);
    const offered: string[] = [];
    const initialised = await runPreflight({ projectDir: directory, minFreeDiskMb: 1, offerInit: async (dir) => (offered.push(dir), true) });
    expect(offered).toEqual([directory]);
    expect(byId(initialised, 'git.repository')?.status).toBe('pass');
    expect(await isGitRepository(directory)).toBe(true);
  });

  it('fails a dirty tree, warns when dirt is allowed, and makes warnings fatal on request', async () => {
    const repo = await repository();
    await repo.write('README.md', 'edited\n');
    await repo.write('new-file.txt', 'new\n');
    // The orchestrator's own folder is never the user's change, even where git does not ignore it.
    await repo.write('.qoder-orch/cache/index-state.json', '{}\n');
    const strict = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1 });
    expect(byId(strict, 'git.worktree')).toMatchObject({ status: 'fail', message: expect.stringContaining('2 uncommitted changes (README.md, new-file.txt)'), fix: expect.stringContaining('--allow-dirty') });
    const allowed = await runPreflight({ projectDir: repo.root, config: { execution: { allowDirty: true } }, minFreeDiskMb: 1 });
    expect(byId(allowed, 'git.worktree')?.status).toBe('warn');
    expect(allowed).toMatchObject({ isPassed: true, hasWarnings: true });
    expect(formatPreflightReport(allowed)).toContain('RESULT: PASSED with warnings (0 failures, 1 warning)');
    const fatal = await runPreflight({ projectDir: repo.root, allowDirty: true, config: { validation: { failOnWarnings: true } }, minFreeDiskMb: 1 });
    expect(fatal.isPassed).toBe(false);
    expect(formatPreflightReport(fatal)).toContain('RESULT: FAILED (0 failures, 1 warning; warnings are fatal)');
  });

  it('reports the provider CLI missing, signed out, unknown or uncheckable, without leaking secrets', async () => {
    const repo = await repository();
    const missing = await runPreflight({
      projectDir: repo.root,
      minFreeDiskMb: 1,
      provider: new MockAgentProvider({ providerId: 'qoder', check: { installed: false, authenticated: false, problems: [{ severity: 'error', message: 'qodercli not found on PATH', fix: 'npm install -g @qoder-ai/qodercli' }] } }),
    });
    expect(byId(missing, 'provider.qoder.installed')).toMatchObject({ status: 'fail', fix: 'npm install -g @qoder-ai/qodercli' });
    process.env.QODER_PERSONAL_ACCESS_TOKEN_TEST = 'pat-secret-value-123456';
    try {
      const signedOut = await runPreflight({
        projectDir: repo.root,
        minFreeDiskMb: 1,
        provider: new MockAgentProvider({
          providerId: 'qoder',
          check: {
            installed: true,
            version: '1.1.52',
            authenticated: false,
            problems: [{ severity: 'error', message: 'token pat-secret-value-123456 rejected: not logged in', fix: 'Run `qodercli login` or set QODER_PERSONAL_ACCESS_TOKEN.' }],
          },
        }),
      });
      expect(byId(signedOut, 'provider.qoder.auth')).toMatchObject({ status: 'fail', fix: expect.stringContaining('qodercli login') });
      expect(formatPreflightReport(signedOut)).not.toContain('pat-secret-value-123456');
      expect(formatPreflightReport(signedOut)).toContain('[REDACTED]');
    } finally {
      delete process.env.QODER_PERSONAL_ACCESS_TOKEN_TEST;
    }
    const unknown = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, provider: new MockAgentProvider({ check: { installed: true, authenticated: 'unknown', problems: [] } }) });
    expect(byId(unknown, 'provider.mock.auth')?.status).toBe('warn');
    const uncheckable = new MockAgentProvider();
    Object.defineProperty(uncheckable, 'doCheck', { value: undefined });
    const report = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, provider: uncheckable });
    expect(byId(report, 'provider.mock')?.status).toBe('warn');
  });

  it('checks the planning and judging providers too, once each', async () => {
    const repo = await repository();
    const agent = new MockAgentProvider({ providerId: 'claude-cli', check: { installed: true, authenticated: true, problems: [] } });
    const planner = new MockAgentProvider({
      providerId: 'ai-sdk:anthropic/claude-sonnet-4-5',
      check: { installed: true, authenticated: false, problems: [{ severity: 'error', message: 'ai-sdk:anthropic/claude-sonnet-4-5: ANTHROPIC_API_KEY is not set.', fix: 'Set ANTHROPIC_API_KEY to the model API key.' }] },
    });
    const report = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, provider: agent, completionProviders: [planner, planner] });
    expect(byId(report, 'provider.claude-cli.auth')?.status).toBe('pass');
    expect(byId(report, 'provider.ai-sdk:anthropic/claude-sonnet-4-5.auth')).toMatchObject({ status: 'fail', fix: 'Set ANTHROPIC_API_KEY to the model API key.' });
    expect(report.checks.filter((check) => check.id === 'provider.ai-sdk:anthropic/claude-sonnet-4-5.auth')).toHaveLength(1);
    expect(report.isPassed).toBe(false);
  });

  it('reports config errors by key path, and YAML syntax errors by line', async () => {
    const repo = await repository({ '.qoder-orchestrate.yaml': 'execution:\n  max_parallel: 0\n  isolaton: worktree\nllm:\n  timeout: "soon"\n' });
    const report = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1 });
    const config = byId(report, 'config');
    expect(config?.status).toBe('fail');
    expect(config?.message).toContain('execution.max_parallel');
    expect(config?.message).toContain('execution.isolaton: unknown key "isolaton"');
    expect(config?.message).toContain('llm.timeout');
    await repo.write('.qoder-orchestrate.yaml', 'execution:\n  isolaton: worktree\nsurprise: 1\n');
    expect(byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, allowDirty: true }), 'config')?.message).toContain('unknown key "surprise"');
    await repo.write('.qoder-orchestrate.yaml', 'execution:\n  isolaton: worktree\n');
    expect(byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, allowDirty: true }), 'config')).toMatchObject({ status: 'fail', message: expect.stringContaining('execution.isolaton') });
    await repo.write('.qoder-orchestrate.yaml', 'execution:\n  max_parallel: [1,\n');
    const broken = byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1 }), 'config');
    expect(broken?.message).toMatch(/YAML syntax error at line \d+, column \d+/);
    const inCode = byId(await runPreflight({ projectDir: repo.root, configFile: join(repo.root, 'absent.yaml'), config: { retry: { maxAttempts: 99 } }, minFreeDiskMb: 1 }), 'config');
    expect(inCode?.message).toContain('options: retry.maxAttempts');
  });

  it('fails a worktree setup command whose program is not found; a .worktreeinclude matching nothing is fine', async () => {
    const repo = await repository({
      '.qoder-orchestrate.yaml': 'workspace:\n  include_file: .worktreeinclude\n  setup: ["node scripts/seed.js", "no-such-program-qoder --flag"]\n  teardown: [[./scripts/stop.sh]]\n',
      '.worktreeinclude': '.env.nothing-matches\n',
      'scripts/stop.sh': '#!/bin/sh\n',
    });
    const report = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, allowDirty: true });
    expect(byId(report, 'config')?.status).toBe('pass');
    const commands = byId(report, 'workspace.commands');
    expect(commands?.status).toBe('fail');
    // `node` is found; the unknown program and the script that is not executable are named.
    expect(commands?.message).toBe('Not found: no-such-program-qoder, ./scripts/stop.sh (named in workspace.setup / workspace.teardown).');
    const passing = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, allowDirty: true, config: { workspace: { setup: ['node --version'] } } });
    expect(byId(passing, 'workspace.commands')).toMatchObject({ status: 'pass' });
  });

  it('reports each invalid subagent file and duplicated names', async () => {
    const repo = await repository({
      'subagents/good.md': validSubagent,
      '.qoder/agents/no-front-matter.md': 'Just a prompt.\n',
      '.claude/agents/bad-name.md': '---\nname: Bad Name\ndescription: x\n---\nprompt\n',
    });
    const report = await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1 });
    const subagents = byId(report, 'subagents');
    expect(subagents?.status).toBe('fail');
    expect(subagents?.message).toContain('2 of 3 subagent files invalid');
    expect(subagents?.message).toContain('.qoder/agents/no-front-matter.md');
    expect(subagents?.message).toContain('.claude/agents/bad-name.md');
    await repo.remove('.qoder/agents/no-front-matter.md');
    await repo.write('.claude/agents/bad-name.md', validSubagent);
    const duplicated = byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1, allowDirty: true }), 'subagents');
    expect(duplicated).toMatchObject({ status: 'warn', message: expect.stringContaining('api-coder') });
  });

  it('checks free disk space and an unreadable project', async () => {
    const repo = await repository();
    const info = await statfs(repo.root);
    const freeMb = Math.floor((Number(info.bavail) * Number(info.bsize)) / (1024 * 1024));
    expect(byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: 1 }), 'disk.space')?.status).toBe('pass');
    // Measured where the worktrees go (outside the project), even before that folder exists.
    const roots = await plainDirectory();
    const configured = await runPreflight({ projectDir: repo.root, config: { execution: { worktreeRoot: join(roots, 'later', 'worktrees') } }, minFreeDiskMb: 1 });
    expect(byId(configured, 'disk.space')?.message).toContain(`(${roots})`);
    expect(byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: freeMb * 2 }), 'disk.space')?.status).toBe('warn');
    expect(byId(await runPreflight({ projectDir: repo.root, minFreeDiskMb: freeMb * 10 }), 'disk.space')).toMatchObject({ status: 'fail', fix: expect.stringContaining('max_parallel') });
    const missing = await runPreflight({ projectDir: join(repo.root, 'does-not-exist'), minFreeDiskMb: 1 });
    expect(byId(missing, 'project.readable')?.status).toBe('fail');
    expect(missing.isPassed).toBe(false);
  });

  it('stops when aborted', async () => {
    const repo = await repository();
    const controller = new AbortController();
    controller.abort();
    await expect(runPreflight({ projectDir: repo.root, abortSignal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
