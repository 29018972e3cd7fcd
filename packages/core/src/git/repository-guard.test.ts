import { chmod, lstat, mkdir, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { RepositoryGuard } from './repository-guard';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

/** Every file under the git directory's watched places: path → mode, link target or content. */
async function watched(gitDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of ['config', 'config.worktree', 'info/attributes', 'info/exclude']) {
    const content = await readFile(join(gitDir, name), 'latin1').catch(() => undefined);
    if (content !== undefined) files[name] = content;
  }
  for (const entry of await readdir(join(gitDir, 'hooks'), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await lstat(path);
    files[path.slice(gitDir.length + 1)] = info.isSymbolicLink() ? `link:${await readlink(path)}` : info.isFile() ? `${(info.mode & 0o777).toString(8)}:${await readFile(path, 'latin1')}` : 'dir';
  }
  return files;
}

describe('RepositoryGuard', () => {
  it("waits for git's lock on the config: a write under way when it looks is seen, said and undone, never left behind or unsaid", async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    const original = await readFile(join(gitDir, 'config'), 'utf8');
    const guard = await RepositoryGuard.take(gitDir);
    await repository.git(['config', 'alias.first', '!touch first']);
    // A second `git config` is writing: its new file is config.lock, renamed over config when it is done.
    await writeFile(join(gitDir, 'config.lock'), `${await readFile(join(gitDir, 'config'), 'utf8')}[alias]\n\tsecond = !touch second\n`);
    const checked = guard.check();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await rename(join(gitDir, 'config.lock'), join(gitDir, 'config'));
    const findings = await checked;
    expect(findings).toHaveLength(1);
    expect(findings[0]!.changes).toEqual(expect.arrayContaining(['alias.first added', 'alias.second added']));
    expect(await readFile(join(gitDir, 'config'), 'utf8')).toBe(original);
    expect(await readdir(gitDir)).not.toContain('config.lock');
  });

  it('puts configuration, attributes, excludes and hooks back byte for byte, and names what changed without values', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    await repository.git(['config', 'user.email', 'user@example.com']);
    await repository.git(['config', 'remote.origin.url', 'https://example.com/repo.git']);
    await writeFile(join(gitDir, 'hooks', 'pre-push'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    await symlink('pre-push', join(gitDir, 'hooks', 'pre-rebase'));
    const before = await watched(gitDir);
    const guard = await RepositoryGuard.take(gitDir);
    expect(await guard.check()).toEqual([]);

    await repository.git(['config', 'core.hooksPath', '/tmp/elsewhere']);
    await repository.git(['config', 'user.email', 'secret-value@example.com']);
    await repository.git(['config', '--unset', 'remote.origin.url']);
    await writeFile(join(gitDir, 'config.worktree'), '[core]\n\tsshCommand = touch x\n');
    await writeFile(join(gitDir, 'info', 'attributes'), '* filter=evil\n');
    await writeFile(join(gitDir, 'hooks', 'post-checkout'), '#!/bin/sh\ntouch x\n', { mode: 0o755 });
    await mkdir(join(gitDir, 'hooks', 'lib', 'deep'), { recursive: true });
    await writeFile(join(gitDir, 'hooks', 'lib', 'deep', 'helper'), 'x');
    await chmod(join(gitDir, 'hooks', 'pre-push'), 0o644);
    await rm(join(gitDir, 'hooks', 'pre-rebase'));
    await symlink('post-checkout', join(gitDir, 'hooks', 'pre-rebase'));

    const findings = await guard.check();
    expect(findings).toEqual([
      {
        kind: 'git-config',
        changes: ['core.hookspath added', 'remote.origin.url removed', 'user.email changed', 'core.sshcommand added (config.worktree)', 'info/attributes added'],
      },
      { kind: 'git-hooks', changes: ['hooks/lib/deep/helper added', 'hooks/post-checkout added', 'hooks/pre-push changed', 'hooks/pre-rebase changed'] },
    ]);
    expect(JSON.stringify(findings)).not.toContain('secret-value');
    expect(await watched(gitDir)).toEqual(before);
    expect(await guard.check()).toEqual([]);
  });

  it('restores a config file that git cannot read, and a hooks directory replaced by a link', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    await writeFile(join(gitDir, 'hooks', 'pre-commit'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const before = await watched(gitDir);
    const guard = await RepositoryGuard.take(gitDir);

    await writeFile(join(gitDir, 'config'), '[core\nbroken');
    await mkdir(join(repository.root, 'elsewhere'));
    await rm(join(gitDir, 'hooks'), { recursive: true });
    await symlink(join(repository.root, 'elsewhere'), join(gitDir, 'hooks'));

    const findings = await guard.check();
    expect(findings).toEqual([
      { kind: 'git-config', changes: ['config changed'] },
      { kind: 'git-hooks', changes: expect.arrayContaining(['hooks added', 'hooks/pre-commit removed']) },
    ]);
    expect((await lstat(join(gitDir, 'hooks'))).isDirectory()).toBe(true);
    expect(await watched(gitDir)).toEqual(before);
    expect((await repository.git(['status', '--porcelain'])).trim()).toBe('');
  });

  it("removes a worktree's own configuration written with `git config --worktree`", async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    await repository.git(['config', 'extensions.worktreeConfig', 'true']);
    const worktree = `${repository.root}-linked`;
    await repository.git(['worktree', 'add', '-q', '--detach', worktree]);
    const guard = await RepositoryGuard.take(gitDir);
    execFileSync('git', ['config', '--worktree', 'filter.evil.clean', 'touch x'], { cwd: worktree });
    const name = (await readdir(join(gitDir, 'worktrees')))[0] as string;
    expect(await guard.check()).toEqual([{ kind: 'git-config', changes: [`filter.evil.clean added (worktrees/${name}/config.worktree)`] }]);
    expect(await readFile(join(gitDir, 'worktrees', name, 'config.worktree'), 'utf8').catch(() => 'gone')).toBe('gone');
    await repository.git(['worktree', 'remove', '--force', worktree]);
    expect(await guard.check()).toEqual([]);
    await rm(worktree, { recursive: true, force: true });
  });

  it('keeps its record until released, so the next run puts back what changed during a run that died', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    const before = await watched(gitDir);
    await RepositoryGuard.take(gitDir);
    // The run dies here; an agent had planted a hook and an alias.
    await writeFile(join(gitDir, 'hooks', 'post-checkout'), '#!/bin/sh\ntouch x\n', { mode: 0o755 });
    execFileSync('git', ['config', 'alias.co', '!touch x'], { cwd: repository.root });

    const next = await RepositoryGuard.resumeAfterCrash(gitDir);
    expect(await next?.check()).toEqual([
      { kind: 'git-config', changes: ['alias.co added'] },
      { kind: 'git-hooks', changes: ['hooks/post-checkout added'] },
    ]);
    expect(await watched(gitDir)).toEqual(before);
    await next?.release();
    expect(await RepositoryGuard.resumeAfterCrash(gitDir)).toBeUndefined();
  });

  it('ignores a record that names anything but the files it watches', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    await mkdir(join(gitDir, 'qoder-orch'), { recursive: true });
    for (const text of ['{"../../outside": {"kind": "file", "mode": 420, "content": ""}}', '{"hooks/../config": {"kind": "link", "target": "x"}}', 'not json', '{"config": {"kind": "file", "mode": 99999, "content": ""}}']) {
      await writeFile(join(gitDir, 'qoder-orch', 'guard.json'), text);
      expect(await RepositoryGuard.resumeAfterCrash(gitDir)).toBeUndefined();
      expect(await readFile(join(gitDir, 'qoder-orch', 'guard.json'), 'utf8').catch(() => 'removed')).toBe('removed');
    }
  });
});
