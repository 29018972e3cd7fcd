import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProjectWithRemote } from '../test/project-fixture';
import { RepositoryMirrors } from './repository-mirror';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('RepositoryMirrors (real git, a bare remote)', () => {
  it('reuses a worktree given back for the next attempt, at its base with nothing of the last attempt left: changed, added, ignored files; a broken one is replaced', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': 'build/\n' });
    cleanups.push(project.cleanup);
    const first = (await project.git(['rev-parse', 'HEAD'])).trim();
    await writeFile(join(project.projectDir, 'second.txt'), 'second\n');
    await project.git(['add', '-A']);
    await project.git(['commit', '--quiet', '-m', 'second']);
    const second = (await project.git(['rev-parse', 'HEAD'])).trim();
    await project.git(['push', '--quiet', 'origin', `${first}:refs/qoder-orch/base/run/${first}`, `${second}:refs/qoder-orch/base/run/${second}`]);
    const mirrors = new RepositoryMirrors(join(project.root, 'worker'));
    const mirror = await mirrors.mirrorOf(project.remote);
    await mirrors.fetch(mirror, project.remote, `refs/qoder-orch/base/run/${first}`, first);
    await mirrors.fetch(mirror, project.remote, `refs/qoder-orch/base/run/${second}`, second);

    const used = await mirrors.worktree(mirror, second);
    expect(await readFile(join(used.directory, 'second.txt'), 'utf8')).toBe('second\n');
    // An attempt changes a tracked file, adds one (and stages it, as the worker's commit does), and leaves an ignored build folder.
    await writeFile(join(used.directory, 'README.md'), '# changed\n');
    await writeFile(join(used.directory, 'added.txt'), 'added\n');
    await mkdir(join(used.directory, 'build'));
    await writeFile(join(used.directory, 'build', 'out.js'), 'out\n');
    await project.git(['add', '-A'], used.directory);
    await writeFile(join(used.directory, 'untracked.txt'), 'untracked\n');
    mirrors.release(used);

    const reused = await mirrors.worktree(mirror, first);
    expect(reused.directory).toBe(used.directory);
    expect((await project.git(['rev-parse', 'HEAD'], reused.directory)).trim()).toBe(first);
    expect(await readFile(join(reused.directory, 'README.md'), 'utf8')).toBe('# app\n');
    for (const gone of ['second.txt', 'added.txt', 'build', 'untracked.txt']) expect(existsSync(join(reused.directory, gone)), gone).toBe(false);
    expect(await project.git(['status', '--porcelain', '--ignored'], reused.directory)).toBe('');

    // An attempt that breaks its worktree's link to the mirror: the next attempt gets a new one.
    await writeFile(join(reused.directory, '.git'), 'gitdir: /nonexistent\n');
    mirrors.release(reused);
    const replaced = await mirrors.worktree(mirror, second);
    expect(replaced.directory).not.toBe(reused.directory);
    expect((await project.git(['rev-parse', 'HEAD'], replaced.directory)).trim()).toBe(second);
    mirrors.release(replaced);
    await mirrors.clear();
    expect(existsSync(replaced.directory)).toBe(false);
  }, 60_000);
});
