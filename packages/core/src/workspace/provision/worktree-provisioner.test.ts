import { lstat, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorktreeManager } from '../../git/worktree-manager';
import { createTemporaryRepository, type TemporaryRepository } from '../../git/testing/temporary-repository';
import { dependencyChanges, fingerprintDependencies } from './dependency-fingerprint';
import type { ProvisionEvent, WorktreeProvisionerOptions } from './provision-types';
import { WorktreeProvisioner } from './worktree-provisioner';

vi.setConfig({ testTimeout: 60_000 });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A repository with ignored env files, a tracked file a pattern also matches, and installed dependencies. */
async function project(): Promise<TemporaryRepository> {
  const repo = await createTemporaryRepository({
    '.gitignore': 'node_modules/\n.env*\nconfig/*.local.json\nsecrets/\n',
    '.worktreeinclude': '# files the project needs\n.env.local\nconfig/*.local.json\n.env.tracked\nnotes.txt\n../outside.txt\nsecrets/linked\n',
    'package.json': '{"name":"p","private":true}\n',
  });
  cleanups.push(() => repo.cleanup());
  await repo.write('.env.tracked', 'TRACKED=1\n');
  await repo.git(['add', '-f', '.env.tracked']);
  await repo.git(['commit', '-q', '-m', 'tracked env']);
  await repo.write('.env.local', 'API_TOKEN=abc-secret-value\n', { isExecutable: true });
  await repo.write('.env.other', 'NOT_LISTED=1\n');
  await repo.write('config/app.local.json', '{"port":1}\n');
  await repo.write('notes.txt', 'untracked, not ignored\n');
  await repo.write('node_modules/dep/index.js', 'module.exports = 1;\n');
  const outside = await mkdtemp(join(tmpdir(), 'qoder-orch-outside-'));
  cleanups.push(() => rm(outside, { recursive: true, force: true }));
  await writeFile(join(outside, 'secret.txt'), 'outside\n');
  await repo.link('secrets/linked', join(outside, 'secret.txt'));
  return repo;
}

async function worktreeOf(repo: TemporaryRepository, taskId = 'task'): Promise<string> {
  const manager = new WorktreeManager({ projectDir: repo.root, worktreeRoot: `${repo.root}-worktrees` });
  cleanups.push(() => rm(`${repo.root}-worktrees`, { recursive: true, force: true }));
  const worktree = await manager.add('run', taskId, (await repo.git(['rev-parse', 'HEAD'])).trim());
  return worktree.path;
}

function provisioner(repo: TemporaryRepository, options: Partial<WorktreeProvisionerOptions> = {}) {
  const instance = new WorktreeProvisioner({ root: repo.root, ...options });
  const events: ProvisionEvent[] = [];
  instance.on('provision-start', (event) => events.push({ type: 'provision-start', ...event }));
  instance.on('provision-finish', (event) => events.push({ type: 'provision-finish', ...event }));
  instance.on('warning', (event) => events.push({ type: 'warning', ...event }));
  return { instance, events };
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

describe('WorktreeProvisioner', () => {
  it('copies the ignored files .worktreeinclude names, and nothing else', async () => {
    const repo = await project();
    const worktree = await worktreeOf(repo);
    const { instance, events } = provisioner(repo, { dependencies: 'none' });

    const result = await instance.provision(worktree, { slot: 0 });

    expect(result.copied.sort()).toEqual(['.env.local', 'config/app.local.json']);
    expect(await readFile(join(worktree, '.env.local'), 'utf8')).toBe('API_TOKEN=abc-secret-value\n');
    expect((await stat(join(worktree, '.env.local'))).mode & 0o777).toBe(0o755);
    // Ignored but not listed; listed but not ignored; a link leaving the repository: none copied.
    expect(await exists(join(worktree, '.env.other'))).toBe(false);
    expect(await exists(join(worktree, 'notes.txt'))).toBe(false);
    expect(await exists(join(worktree, 'secrets', 'linked'))).toBe(false);
    // The tracked file is the worktree's own checkout, never overwritten.
    expect(await readFile(join(worktree, '.env.tracked'), 'utf8')).toBe('TRACKED=1\n');
    const warnings = events.filter((event) => event.type === 'warning');
    expect(warnings.map((event) => event.code).sort()).toEqual(['INCLUDE_FILE_REFUSED', 'INCLUDE_PATTERN_REFUSED']);
    expect(JSON.stringify(warnings)).toContain('../outside.txt');
    expect(JSON.stringify(warnings)).toContain('secrets/linked (a link that leads outside the repository)');
    // Names and counts only: a copied file's content never reaches an event.
    expect(JSON.stringify(events)).not.toContain('abc-secret-value');
    expect(events.find((event) => event.type === 'provision-finish')).toMatchObject({ isOk: true, copiedFiles: 2, slot: 0, dependencies: 'none' });
    // git sees nothing new in the worktree.
    expect((await repo.git(['-C', worktree, 'status', '--porcelain'])).trim()).toBe('');
  });

  it('gives each slot its own port range and environment', async () => {
    const repo = await project();
    const { instance } = provisioner(repo, { portBase: 42_000, portsPerTask: 5 });
    expect(instance.taskEnvironment(0)).toEqual({ PORT: '42000', QODER_ORCH_PORT_RANGE: '42000-42004', QODER_ORCH_SLOT: '0' });
    expect(instance.taskEnvironment(3)).toEqual({ PORT: '42015', QODER_ORCH_PORT_RANGE: '42015-42019', QODER_ORCH_SLOT: '3' });
    const ranges = [0, 1, 2, 3].map((slot) => instance.ports(slot));
    for (const [index, range] of ranges.entries()) for (const other of ranges.slice(index + 1)) expect(range.last < other.first || other.last < range.first).toBe(true);
  });

  it('runs setup with the slot environment in the worktree, and teardown before removal', async () => {
    const repo = await project();
    await repo.write('scripts/record.js', "require('fs').writeFileSync(process.argv[2], JSON.stringify({ cwd: process.cwd(), PORT: process.env.PORT, RANGE: process.env.QODER_ORCH_PORT_RANGE, SLOT: process.env.QODER_ORCH_SLOT }));\n");
    await repo.commitAll('record script');
    const worktree = await worktreeOf(repo);
    const outside = await mkdtemp(join(tmpdir(), 'qoder-orch-teardown-'));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    const { instance } = provisioner(repo, { dependencies: 'none', setup: ['node scripts/record.js setup.json'], teardown: [['node', 'scripts/record.js', join(outside, 'teardown.json')]] });

    const result = await instance.provision(worktree, { slot: 2 });

    expect(JSON.parse(await readFile(join(worktree, 'setup.json'), 'utf8'))).toEqual({ cwd: await import('node:fs/promises').then((fs) => fs.realpath(worktree)), PORT: '41020', RANGE: '41020-41029', SLOT: '2' });
    expect(result.environment).toEqual({ PORT: '41020', QODER_ORCH_PORT_RANGE: '41020-41029', QODER_ORCH_SLOT: '2' });
    await instance.teardown(worktree);
    expect(JSON.parse(await readFile(join(outside, 'teardown.json'), 'utf8'))).toMatchObject({ PORT: '41020', SLOT: '2' });
  });

  it('fails clearly when a setup command fails, naming it with its output and no secret', async () => {
    const repo = await project();
    await repo.write('scripts/fail.js', "console.error('cannot reach db with abc-secret-value'); process.exit(3);\n");
    await repo.commitAll('fail script');
    const worktree = await worktreeOf(repo);
    const { instance, events } = provisioner(repo, { dependencies: 'none', setup: ['node scripts/fail.js'] });
    process.env.QODER_TEST_API_TOKEN = 'abc-secret-value';
    cleanups.push(async () => delete process.env.QODER_TEST_API_TOKEN);

    const error = await instance.provision(worktree, { slot: 0 }).catch((caught: unknown) => caught);

    expect(OrchestratorError.isInstance(error) && error.code).toBe('PROVISION_FAILED');
    const message = (error as OrchestratorError).message;
    expect(message).toContain('`node scripts/fail.js` exited with 3');
    expect(message).toContain('cannot reach db with');
    expect(message).not.toContain('abc-secret-value');
    expect(events.find((event) => event.type === 'provision-finish')).toMatchObject({ isOk: false });
  });

  it('links or copies the installed dependency folders, and the fingerprint sees an install through a link', async () => {
    const repo = await project();
    const linkedTree = await worktreeOf(repo, 'linked');
    const copiedTree = await worktreeOf(repo, 'copied');

    const linked = await provisioner(repo, { dependencies: 'link' }).instance.provision(linkedTree, { slot: 0 });
    const copied = await provisioner(repo, { dependencies: 'copy' }).instance.provision(copiedTree, { slot: 1 });

    expect(linked.linked).toEqual(['node_modules']);
    expect(await readlink(join(linkedTree, 'node_modules'))).toBe(join(repo.root, 'node_modules'));
    expect(copied.copiedDependencies).toEqual(['node_modules']);
    expect((await lstat(join(copiedTree, 'node_modules'))).isDirectory()).toBe(true);
    expect(await readFile(join(copiedTree, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('module.exports = 1;\n');

    const before = await fingerprintDependencies(linkedTree, ['node_modules']);
    await writeFile(join(copiedTree, 'node_modules', 'private.js'), 'only in the copy\n');
    expect(dependencyChanges(before, await fingerprintDependencies(linkedTree, ['node_modules']))).toEqual([]);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(linkedTree, 'node_modules', 'left-pad')));
    await writeFile(join(linkedTree, 'node_modules', '.package-lock.json'), '{}\n');
    expect(dependencyChanges(before, await fingerprintDependencies(linkedTree, ['node_modules'])).sort()).toEqual(['node_modules: .package-lock.json added', 'node_modules: left-pad added']);
    // The install went through the link into the main checkout; the copy is untouched by it.
    expect(await exists(join(repo.root, 'node_modules', 'left-pad'))).toBe(true);
    expect(await exists(join(copiedTree, 'node_modules', 'left-pad'))).toBe(false);
    expect(await exists(join(repo.root, 'node_modules', 'private.js'))).toBe(false);
  });

  it('relocates a copied virtualenv so its scripts use the copy', async () => {
    const repo = await project();
    await repo.write('.venv/pyvenv.cfg', `home = /usr/bin\ncommand = /usr/bin/python3 -m venv ${join(repo.root, '.venv')}\n`);
    await repo.write('.venv/bin/pip', `#!${join(repo.root, '.venv', 'bin', 'python')}\nimport pip\n`, { isExecutable: true });
    await repo.write('.venv/lib/python3.11/site-packages/local.pth', `${join(repo.root, 'src')}\n`);
    await symlink('/usr/bin/python3', join(repo.root, '.venv', 'bin', 'python'));
    const worktree = await worktreeOf(repo);

    await provisioner(repo, { dependencies: 'copy' }).instance.provision(worktree, { slot: 0 });

    const copy = join(worktree, '.venv');
    expect((await readFile(join(copy, 'bin', 'pip'), 'utf8')).split('\n')[0]).toBe(`#!${join(copy, 'bin', 'python')}`);
    expect((await stat(join(copy, 'bin', 'pip'))).mode & 0o111).not.toBe(0);
    expect(await readFile(join(copy, 'lib', 'python3.11', 'site-packages', 'local.pth'), 'utf8')).toBe(`${join(worktree, 'src')}\n`);
    expect(await readlink(join(copy, 'bin', 'python'))).toBe('/usr/bin/python3');
  });
});
