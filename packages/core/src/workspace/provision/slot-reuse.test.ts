import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorktreeManager } from '../../git/worktree-manager';
import { createTemporaryRepository, type TemporaryRepository } from '../../git/testing/temporary-repository';
import type { ProvisionEvent, WorktreeProvisionerOptions } from './provision-types';
import { isPresent } from './slot-record';
import { WorktreeProvisioner } from './worktree-provisioner';

vi.setConfig({ testTimeout: 60_000 });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A repository with an ignored env file `.worktreeinclude` names, installed dependencies, and a setup script that counts its runs. */
async function project(): Promise<{ repo: TemporaryRepository; counter: string }> {
  const repo = await createTemporaryRepository({
    '.gitignore': 'node_modules/\n.env*\nbuild/\ndist/\n',
    '.worktreeinclude': '.env.local\n',
    'package.json': '{"name":"p","private":true}\n',
    'scripts/setup.js': "const fs = require('fs');\nfs.mkdirSync('build', { recursive: true });\nfs.writeFileSync('build/generated.txt', process.env.PORT);\nfs.appendFileSync(process.argv[2], 'setup\\n');\n",
    'scripts/teardown.js': "require('fs').appendFileSync(process.argv[2], 'teardown ' + process.env.PORT + '\\n');\n",
  });
  cleanups.push(() => repo.cleanup());
  await repo.write('.env.local', 'TOKEN=one\n');
  await repo.write('node_modules/dep/index.js', 'module.exports = 1;\n');
  const outside = await mkdtemp(join(tmpdir(), 'qoder-orch-slot-reuse-'));
  cleanups.push(() => rm(outside, { recursive: true, force: true }));
  return { repo, counter: join(outside, 'runs.txt') };
}

/** A provisioner and a manager wired as a run wires them: the reset keeps what provisioning put in a slot, removal tears it down. */
function slots(repo: TemporaryRepository, options: Partial<WorktreeProvisionerOptions>) {
  const provisioner = new WorktreeProvisioner({ root: repo.root, ...options });
  const events: ProvisionEvent[] = [];
  provisioner.on('provision-finish', (event) => events.push({ type: 'provision-finish', ...event }));
  provisioner.on('warning', (event) => events.push({ type: 'warning', ...event }));
  const manager = new WorktreeManager({
    projectDir: repo.root,
    worktreeRoot: `${repo.root}-worktrees`,
    preservedPaths: (path) => provisioner.preservedPaths(path),
    beforeRemove: (path) => provisioner.teardown(path),
  });
  cleanups.push(() => rm(`${repo.root}-worktrees`, { recursive: true, force: true }));
  /** One task: takes a slot, provisions it, lets `work` act in it, releases it. */
  const task = async (taskId: string, work: (worktree: string) => Promise<void> = async () => {}) => {
    const worktree = await manager.add('run', taskId, (await repo.git(['rev-parse', 'HEAD'])).trim());
    const result = await provisioner.provision(worktree.path, { slot: 0, taskId });
    await work(worktree.path);
    await manager.remove('run', taskId);
    return { path: worktree.path, result };
  };
  return { provisioner, manager, events, task };
}

const setupOptions = (counter: string): Partial<WorktreeProvisionerOptions> => ({ dependencies: 'copy', setup: [['node', 'scripts/setup.js', counter]], teardown: [['node', 'scripts/teardown.js', counter]] });

describe('provisioning once per slot', () => {
  it("reuses a slot's copy, include files and setup outputs for its next task, and cleans the rest", async () => {
    const { repo, counter } = await project();
    const { events, task } = slots(repo, setupOptions(counter));

    const first = await task('first', (worktree) => writeFile(join(worktree, '.env.scratch'), 'left by the task\n'));
    const second = await task('second', async (worktree) => {
      expect(await readFile(join(worktree, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('module.exports = 1;\n');
      expect(await readFile(join(worktree, '.env.local'), 'utf8')).toBe('TOKEN=one\n');
      expect(await readFile(join(worktree, 'build', 'generated.txt'), 'utf8')).toBe('41000');
      // An ignored file the first task left is not provisioning: the reset cleaned it.
      expect(await isPresent(join(worktree, '.env.scratch'))).toBe(false);
    });

    expect(second.path).toBe(first.path);
    expect([first.result.isReused, second.result.isReused]).toEqual([false, true]);
    expect(second.result).toMatchObject({ copied: ['.env.local'], copiedDependencies: ['node_modules'], environment: { PORT: '41000' } });
    expect(await readFile(counter, 'utf8')).toBe('setup\n');
    expect(events.filter((event) => event.type === 'provision-finish').map((event) => [event.isReused, event.setupCommands])).toEqual([
      [false, 1],
      [true, 0],
    ]);
  });

  it('provisions a slot again, after its teardown, when a task installed into its copy, an include file changed or the setup did', async () => {
    const { repo, counter } = await project();
    const { task } = slots(repo, setupOptions(counter));
    await task('first', (worktree) => writeFile(join(worktree, 'node_modules', 'installed-by-agent.js'), '1\n'));

    // The copy the first task installed into is no longer the main checkout's: copied again.
    const second = await task('second', async (worktree) => expect(await isPresent(join(worktree, 'node_modules', 'installed-by-agent.js'))).toBe(false));
    expect(second.result.isReused).toBe(false);

    await repo.write('.env.local', 'TOKEN=two\n');
    const third = await task('third', async (worktree) => expect(await readFile(join(worktree, '.env.local'), 'utf8')).toBe('TOKEN=two\n'));
    expect(third.result.isReused).toBe(false);

    const other = slots(repo, {
      ...setupOptions(counter),
      setup: [
        ['node', 'scripts/setup.js', counter],
        ['node', '-e', ''],
      ],
    });
    const fourth = await other.task('fourth');
    expect(fourth.result.isReused).toBe(false);
    expect(await readFile(counter, 'utf8')).toBe(['setup', 'teardown 41000', 'setup', 'teardown 41000', 'setup', 'teardown 41000', 'setup', ''].join('\n'));
  });

  it('copies again after an install in the main checkout, not after its packages were merely used', async () => {
    const { repo, counter } = await project();
    await repo.write('node_modules/.package-lock.json', '{"lockfileVersion":3}\n');
    const { task } = slots(repo, setupOptions(counter));
    await task('first');

    // Using a package writes inside its folder (bytecode, caches): its time changes, it is the same install.
    await repo.write('node_modules/dep/__pycache__/index.pyc', 'bytecode\n');
    const second = await task('second');
    // npm rewrites its state file on every install.
    await repo.write('node_modules/.package-lock.json', '{"lockfileVersion":3,"packages":{}}\n');
    const third = await task('third', async (worktree) => expect(await readFile(join(worktree, 'node_modules', '.package-lock.json'), 'utf8')).toContain('packages'));

    expect([second.result.isReused, third.result.isReused]).toEqual([true, false]);
  });

  it('stops a hanging teardown at its timeout and reports it as a warning; the slot stays usable', async () => {
    const { repo, counter } = await project();
    const { manager, events, task } = slots(repo, { ...setupOptions(counter), teardown: [['node', '-e', 'setTimeout(() => {}, 60000)']], teardownTimeoutMs: 300 });
    await task('first');
    await repo.write('.env.local', 'TOKEN=changed\n');

    const started = performance.now();
    const second = await task('second');

    expect(performance.now() - started).toBeLessThan(30_000);
    expect(second.result.isReused).toBe(false);
    expect(events.filter((event) => event.type === 'warning').map((event) => event.code)).toEqual(['TEARDOWN_FAILED']);
    expect((await manager.list()).filter((worktree) => worktree.isPoolSlot === true)).toHaveLength(1);
  });

  it('hands out the ports configured now to a reused slot with no setup, and provisions again one whose setup had others', async () => {
    const { repo, counter } = await project();
    await slots(repo, { dependencies: 'copy' }).task('first');
    const moved = await slots(repo, { dependencies: 'copy', portBase: 42_000 }).task('second');
    expect(moved.result).toMatchObject({ isReused: true, environment: { PORT: '42000' } });

    await slots(repo, { ...setupOptions(counter), portBase: 42_000 }).task('third');
    const withSetup = await slots(repo, { ...setupOptions(counter), portBase: 43_000 }).task('fourth', async (worktree) => expect(await readFile(join(worktree, 'build', 'generated.txt'), 'utf8')).toBe('43000'));
    expect(withSetup.result).toMatchObject({ isReused: false, environment: { PORT: '43000' } });
  });

  it('warns when setup leaves files git does not ignore, naming them', async () => {
    const { repo, counter } = await project();
    await repo.write('scripts/setup.js', "require('fs').writeFileSync('generated.txt', 'x'); require('fs').mkdirSync('build', { recursive: true }); require('fs').writeFileSync('build/ignored.txt', 'x');\n");
    await repo.commitAll('setup writes a file git would track');
    const { events, task } = slots(repo, setupOptions(counter));

    await task('first');

    const warnings = events.filter((event) => event.type === 'warning');
    expect(warnings.map((event) => event.code)).toEqual(['SETUP_OUTPUT_NOT_IGNORED']);
    expect(warnings[0]?.type === 'warning' && warnings[0].message).toContain('generated.txt');
    expect(warnings[0]?.type === 'warning' && warnings[0].message).not.toContain('build');
  });

  it('never follows a record that names paths outside the worktree', async () => {
    const { repo, counter } = await project();
    const { task } = slots(repo, setupOptions(counter));
    const first = await task('first');
    const gitDir = (await readFile(join(first.path, '.git'), 'utf8')).replace(/^gitdir: /, '').trim();
    const victim = join(repo.root, 'victim.txt');
    await writeFile(victim, 'keep me\n');
    const record = JSON.parse(await readFile(join(gitDir, 'qoder-orch-provision.json'), 'utf8'));
    await writeFile(join(gitDir, 'qoder-orch-provision.json'), JSON.stringify({ ...record, key: 'stale', preserved: ['../../../../victim.txt', join(repo.root, 'victim.txt')] }));

    const second = await task('second');

    expect(second.result.isReused).toBe(false);
    expect(await readFile(victim, 'utf8')).toBe('keep me\n');
  });
});
