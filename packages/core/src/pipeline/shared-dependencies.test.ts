import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchSharedDependencies } from './shared-dependencies';

let folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  folders = [];
});

/** A user's checkout with installed packages and a worktree linking to them. */
async function linkedWorktree(): Promise<{ user: string; worktree: string }> {
  const base = await mkdtemp(join(tmpdir(), 'qoder-orch-shared-'));
  folders.push(base);
  const user = join(base, 'user');
  const worktree = join(base, 'worktree');
  await mkdir(join(user, 'node_modules', 'greet'), { recursive: true });
  await writeFile(join(user, 'node_modules', '.package-lock.json'), '{"packages":{}}\n');
  await mkdir(worktree);
  await symlink(join(user, 'node_modules'), join(worktree, 'node_modules'));
  return { user, worktree };
}

describe('watchSharedDependencies', () => {
  it('passes when nothing changed, and ignores tool caches inside the folder', async () => {
    const { worktree } = await linkedWorktree();
    const check = await watchSharedDependencies('t', { taskId: 't', cwd: worktree, worktree, linkedDependencies: ['node_modules'] });
    await mkdir(join(worktree, 'node_modules', '.vite'));
    expect(await check()).toBeUndefined();
  });

  it('fails when an install wrote through the link into the user checkout', async () => {
    const { worktree } = await linkedWorktree();
    const check = await watchSharedDependencies('t', { taskId: 't', cwd: worktree, worktree, linkedDependencies: ['node_modules'] });
    await mkdir(join(worktree, 'node_modules', 'left-pad'));
    const error = await check();
    expect(error?.code).toBe('SHARED_DEPENDENCIES_CHANGED');
    expect(error?.message).toContain('node_modules: left-pad added');
    expect(error?.message).toContain("writes into your checkout's node_modules");
    expect(error?.fix).toContain('workspace.dependencies: copy');
  });

  it('fails when the link was replaced by an install of its own, saying the user folder is unchanged', async () => {
    const { worktree } = await linkedWorktree();
    const check = await watchSharedDependencies('t', { taskId: 't', cwd: worktree, worktree, linkedDependencies: ['node_modules'] });
    await rm(join(worktree, 'node_modules'));
    await mkdir(join(worktree, 'node_modules', 'left-pad'), { recursive: true });
    const error = await check();
    expect(error?.code).toBe('SHARED_DEPENDENCIES_CHANGED');
    expect(error?.message).toContain("replaced the link to your checkout's node_modules");
  });
});
