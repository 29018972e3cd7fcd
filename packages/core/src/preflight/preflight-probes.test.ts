import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { observeGitSpawns, type PreflightReport, runPreflight, startPreflightProbes } from '../index';
import { MockAgentProvider } from '../test/index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function repository(): Promise<TemporaryRepository> {
  const created = await createTemporaryRepository();
  cleanups.push(created.cleanup);
  return created;
}

/** The git commands (first argument, `--version` included) started while `body` runs. */
async function gitCommandsOf<T>(body: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
  const commands: string[] = [];
  const stop = observeGitSpawns((spawn) => commands.push(spawn.args[0] ?? ''));
  try {
    return { result: await body(), commands };
  } finally {
    stop();
  }
}

const provider = () => new MockAgentProvider({ check: { installed: true, version: '1.2.3', authenticated: true, problems: [] } });
const summary = (report: PreflightReport) => report.checks.map((check) => `${check.id} ${check.status}`);

describe('preflight git work', () => {
  it('asks git once where the repository is (not once per check)', async () => {
    const repo = await repository();
    const { result: report, commands } = await gitCommandsOf(() => runPreflight({ projectDir: repo.root, provider: provider(), minFreeDiskMb: 1 }));
    expect(report.isPassed).toBe(true);
    expect(commands.filter((command) => command === 'rev-parse')).toEqual(['rev-parse']);
    expect(commands.sort()).toEqual(['--version', 'for-each-ref', 'rev-parse', 'status']);
  });

  it('still finds no repository inside .git, and reports the first operation in progress in a fixed order', async () => {
    const repo = await repository();
    const inside = await runPreflight({ projectDir: join(repo.root, '.git'), provider: provider(), minFreeDiskMb: 1 });
    expect(inside.checks.find((check) => check.id === 'git.repository')?.status).toBe('fail');
    await writeFile(join(repo.root, '.git', 'REVERT_HEAD'), 'x\n');
    await writeFile(join(repo.root, '.git', 'MERGE_HEAD'), 'x\n');
    const report = await runPreflight({ projectDir: repo.root, provider: provider(), minFreeDiskMb: 1 });
    expect(report.checks.find((check) => check.id === 'git.worktree')?.message).toBe('A merge is in progress.');
  });
});

describe('startPreflightProbes', () => {
  it("answers preflight's git version and provider checks from the probes: each runs once, the report is unchanged", async () => {
    const repo = await repository();
    const plain = await runPreflight({ projectDir: repo.root, provider: provider(), minFreeDiskMb: 1 });
    const probed = provider();
    const { result: report, commands } = await gitCommandsOf(async () => {
      const probes = startPreflightProbes(repo.root);
      const early = probes.checkProvider(probed);
      expect(probes.checkProvider(probed)).toBe(early);
      // The probes run before preflight is asked for.
      await early;
      expect(probed.calls.check).toHaveLength(1);
      return runPreflight({ projectDir: repo.root, provider: probed, minFreeDiskMb: 1, probes });
    });
    expect(probed.calls.check).toHaveLength(1);
    // git's version was asked by the plain preflight above and is remembered for the process (`gitVersion`): not asked again.
    expect(commands.filter((command) => command === '--version')).toHaveLength(0);
    expect(summary(report)).toEqual(summary(plain));
    expect(report.isPassed).toBe(true);
  });

  it('are ignored for another project, and report a failing probe like preflight would', async () => {
    const repo = await repository();
    const other = await repository();
    const probes = startPreflightProbes(other.root);
    const checked = provider();
    probes.checkProvider(checked);
    const report = await runPreflight({ projectDir: repo.root, provider: checked, minFreeDiskMb: 1, probes });
    // Another project: preflight asked the provider itself.
    expect(checked.calls.check).toHaveLength(2);
    expect(report.isPassed).toBe(true);

    const missing = new MockAgentProvider({ check: { installed: false, authenticated: 'unknown', problems: [{ severity: 'error', message: 'not found', fix: 'install it' }] } });
    const own = startPreflightProbes(repo.root);
    own.checkProvider(missing);
    const failed = await runPreflight({ projectDir: repo.root, provider: missing, minFreeDiskMb: 1, probes: own });
    expect(failed.isPassed).toBe(false);
    expect(failed.checks.find((check) => check.id === 'provider.mock.installed')).toMatchObject({ status: 'fail', fix: 'install it' });
    expect(missing.calls.check).toHaveLength(1);
  });
});
