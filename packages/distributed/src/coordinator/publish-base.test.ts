import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProjectWithRemote } from '../test/project-fixture';
import { snapshotWorktree } from './publish-base';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('snapshotWorktree (real git)', () => {
  it('is HEAD for a clean worktree, and otherwise a commit on HEAD of everything in it, the same id for the same state, the index untouched', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const head = (await project.git(['rev-parse', 'HEAD'])).trim();
    expect(await snapshotWorktree(project.projectDir)).toBe(head);
    await writeFile(join(project.projectDir, 'README.md'), '# app, in progress\n');
    await writeFile(join(project.projectDir, 'new.txt'), 'new\n');
    const snapshot = await snapshotWorktree(project.projectDir);
    expect(snapshot).not.toBe(head);
    expect((await project.git(['rev-parse', `${snapshot}^`])).trim()).toBe(head);
    expect(await project.git(['show', `${snapshot}:README.md`])).toBe('# app, in progress');
    expect(await project.git(['show', `${snapshot}:new.txt`])).toBe('new');
    expect(await snapshotWorktree(project.projectDir)).toBe(snapshot);
    expect((await project.git(['status', '--porcelain'])).split('\n').sort()).toEqual([' M README.md', '?? new.txt']);
  });
});
