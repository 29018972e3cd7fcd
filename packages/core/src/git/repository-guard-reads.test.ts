import { execFileSync } from 'node:child_process';
import { readFile as realReadFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Counts the guard's file reads, lstat calls and listings (the rest of fs is the real one).
const reads = vi.hoisted(() => ({ paths: [] as string[], syncPaths: [] as string[], lstats: [] as string[], listings: [] as string[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...original,
    readFile: (path: Parameters<typeof original.readFile>[0], ...rest: unknown[]) => {
      reads.paths.push(String(path));
      return (original.readFile as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
    },
    lstat: (path: Parameters<typeof original.lstat>[0], ...rest: unknown[]) => {
      reads.lstats.push(String(path));
      return (original.lstat as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
    },
    readdir: (path: Parameters<typeof original.readdir>[0], ...rest: unknown[]) => {
      reads.listings.push(String(path));
      return (original.readdir as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
    },
  };
});

// The guard's looks are synchronous (large files aside): the same counts for `node:fs`.
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  const counted =
    <T extends (...args: never[]) => unknown>(list: string[], call: T) =>
    (...args: Parameters<T>) => {
      list.push(String(args[0]));
      return call(...args);
    };
  return { ...original, openSync: counted(reads.syncPaths, counted(reads.paths, original.openSync)), lstatSync: counted(reads.lstats, original.lstatSync), readdirSync: counted(reads.listings, original.readdirSync) };
});

const { RepositoryGuard } = await import('./repository-guard');
const { createTemporaryRepository } = await import('./testing/temporary-repository');

const repositories: Array<{ cleanup(): Promise<void> }> = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe('RepositoryGuard reads', () => {
  it('reads no file again while lstat says it is as verified, and still finds and puts back a changed one', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    await writeFile(join(gitDir, 'hooks', 'pre-push'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    // Files changed within a second of a look are always read (a write in the same clock tick): let them age.
    await settle();
    const guard = await RepositoryGuard.take(gitDir);
    reads.paths.length = 0;
    expect(await guard.check()).toEqual([]);
    expect(reads.paths.length).toBeGreaterThan(0);
    reads.paths.length = 0;
    reads.lstats.length = 0;
    expect(await guard.check()).toEqual([]);
    expect(reads.paths).toEqual([]);
    // One lstat per watched file there is, and one for the hooks directory: a hook is not looked at twice.
    const hookLstats = reads.lstats.filter((path) => path.startsWith(join(gitDir, 'hooks')));
    expect(hookLstats.filter((path) => path.endsWith('pre-push'))).toHaveLength(1);
    expect(new Set(hookLstats).size).toBe(hookLstats.length);

    // An agent rewrites the hook with as many bytes: found, put back.
    await writeFile(join(gitDir, 'hooks', 'pre-push'), '#!/bin/sh\nexit 1\n');
    expect(await guard.check()).toEqual([{ kind: 'git-hooks', changes: ['hooks/pre-push changed'] }]);
    expect(await realReadFile(join(gitDir, 'hooks', 'pre-push'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    // Just put back: read again on the next look (too recent to be taken as verified), and found as recorded.
    reads.paths.length = 0;
    expect(await guard.check()).toEqual([]);
    expect(reads.paths.some((path) => path.endsWith(join('hooks', 'pre-push')))).toBe(true);
  });

  it('quick checks skip verified samples and the listing while the hooks directory is unchanged, and still find what git would run', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    const hooks = join(gitDir, 'hooks');
    await writeFile(join(hooks, 'pre-push'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    await settle();
    const guard = await RepositoryGuard.take(gitDir);
    // A full check verifies every file; the first quick one lists the directory (nothing to reuse yet).
    expect(await guard.check()).toEqual([]);
    expect(await guard.check({ isQuick: true })).toEqual([]);
    reads.lstats.length = 0;
    reads.listings.length = 0;
    expect(await guard.check({ isQuick: true })).toEqual([]);
    expect(reads.listings.filter((path) => path === hooks)).toEqual([]);
    expect(reads.lstats.filter((path) => path.endsWith('.sample'))).toEqual([]);
    // A hook that can run is looked at every time.
    expect(reads.lstats.filter((path) => path === join(hooks, 'pre-push'))).toHaveLength(1);

    // A sample rewritten in place runs nowhere: the quick check does not see it, the next full check puts it back.
    const sample = join(hooks, 'pre-commit.sample');
    const original = await realReadFile(sample, 'utf8');
    await writeFile(sample, '#!/bin/sh\necho planted\n');
    expect(await guard.check({ isQuick: true })).toEqual([]);
    expect(await guard.check()).toEqual([{ kind: 'git-hooks', changes: ['hooks/pre-commit.sample changed'] }]);
    expect(await realReadFile(sample, 'utf8')).toBe(original);

    // A sample renamed to a name git runs changes the directory: the quick check finds it and undoes it.
    await settle();
    expect(await guard.check({ isQuick: true })).toEqual([]);
    const updateSample = await realReadFile(join(hooks, 'update.sample'), 'utf8');
    await rename(join(hooks, 'update.sample'), join(hooks, 'update'));
    expect(await guard.check({ isQuick: true })).toEqual([{ kind: 'git-hooks', changes: ['hooks/update added', 'hooks/update.sample removed'] }]);
    expect(await realReadFile(join(hooks, 'update.sample'), 'utf8')).toBe(updateSample);
    await expect(realReadFile(join(hooks, 'update'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads a large hook without blocking (asynchronously), and still finds and puts back a change in it', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    const hook = join(gitDir, 'hooks', 'pre-commit');
    const large = `#!/bin/sh\n${'# padding\n'.repeat(40_000)}exit 0\n`;
    await writeFile(hook, large, { mode: 0o755 });
    reads.paths.length = 0;
    reads.syncPaths.length = 0;
    const guard = await RepositoryGuard.take(gitDir);
    // Read once for the record, through the promise API; small files (the config) synchronously.
    expect(reads.paths.filter((path) => path === hook)).toHaveLength(1);
    expect(reads.syncPaths).not.toContain(hook);
    expect(reads.syncPaths).toContain(join(gitDir, 'config'));
    await writeFile(hook, large.replace('exit 0', 'exit 1'));
    expect(await guard.check()).toEqual([{ kind: 'git-hooks', changes: ['hooks/pre-commit changed'] }]);
    expect(await realReadFile(hook, 'utf8')).toBe(large);
  });

  it('a FIFO planted as a hook is found and put back, never read (a read would block)', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    const hook = join(gitDir, 'hooks', 'pre-commit');
    await writeFile(hook, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const guard = await RepositoryGuard.take(gitDir);
    await rm(hook);
    execFileSync('mkfifo', [hook]);
    expect(await guard.check({ isQuick: true })).toEqual([{ kind: 'git-hooks', changes: ['hooks/pre-commit changed'] }]);
    expect(await realReadFile(hook, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
  });
});
