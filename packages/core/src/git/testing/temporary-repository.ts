import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runGit } from '../git-client';
import { identityEnvironment } from '../git-identity';

/** The identity test commits use, through the environment: no global git configuration needed. */
export const TEST_IDENTITY = { name: 'Test User', email: 'test@example.com' };

/** A real repository in a temporary directory, for tests. Not part of the public API. */
export interface TemporaryRepository {
  root: string;
  git(args: string[]): Promise<string>;
  write(path: string, content: string | Buffer, options?: { isExecutable?: boolean }): Promise<void>;
  link(path: string, target: string): Promise<void>;
  read(path: string): Promise<Buffer>;
  remove(path: string): Promise<void>;
  commitAll(message: string): Promise<string>;
  /** Every non-ignored file outside `.git` and `.qoder-orch`: path → content, mode and link target. */
  files(): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

export async function createTemporaryRepository(files: Record<string, string> = { 'README.md': '# test\n' }): Promise<TemporaryRepository> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-repo-'));
  const env = identityEnvironment(TEST_IDENTITY);
  const git = (args: string[]) => runGit(root, args, { env });
  await git(['init', '-q', '--initial-branch=main']);
  const repository: TemporaryRepository = {
    root,
    git,
    async write(path, content, options = {}) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
      if (options.isExecutable) await chmod(join(root, path), 0o755);
    },
    async link(path, target) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await symlink(target, join(root, path));
    },
    read: (path) => readFile(join(root, path)),
    remove: (path) => rm(join(root, path), { recursive: true, force: true }),
    async commitAll(message) {
      await git(['add', '-A']);
      await git(['commit', '-q', '--allow-empty', '-m', message]);
      return (await git(['rev-parse', 'HEAD'])).trim();
    },
    files: () => describeFiles(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  for (const [path, content] of Object.entries(files)) await repository.write(path, content);
  await repository.commitAll('initial');
  return repository;
}

/** A byte-exact description of a directory's files (content as hex, mode bits, symlink targets). */
export async function describeFiles(root: string, skip: readonly string[] = ['.git', '.qoder-orch']): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (skip.includes(path)) continue;
      const info = await lstat(join(root, path));
      if (info.isSymbolicLink()) result[path] = `link:${await readlink(join(root, path))}`;
      else if (info.isDirectory()) await walk(path);
      else result[path] = `${(info.mode & 0o111) === 0 ? '644' : '755'}:${(await readFile(join(root, path))).toString('hex')}`;
    }
  };
  await walk('');
  return result;
}

/**
 * Writes enough empty files under `root` that an index holding them passes `bytes`: long paths
 * give a large index with few files (an entry is 62 bytes, its path, and 1–8 bytes of padding).
 */
export async function writeFilesForIndexOf(root: string, bytes: number): Promise<void> {
  const folder = `${'nested-folder-name/'.repeat(12)}leaf`;
  await mkdir(join(root, folder), { recursive: true });
  const count = Math.ceil(bytes / (62 + folder.length + 8)) + 100;
  await Promise.all(Array.from({ length: count }, (_, index) => writeFile(join(root, folder, `f${String(index).padStart(6, '0')}`), '')));
}
