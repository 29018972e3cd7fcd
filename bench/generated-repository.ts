import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createRandom, type Random } from './random';

/** The shape of a generated repository: `folders` × `filesPerFolder` source files of 1–4 KB, one commit. */
export interface RepositoryShape {
  folders: number;
  filesPerFolder: number;
  /** @default 1 */
  seed?: number;
}

/** Bump when the generated content changes, so old caches are not used. */
const GENERATOR_VERSION = 1;

/** Author and committer of the benchmark's own commits (never read from the user's git config). */
export const BENCH_GIT_ENV: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs git in `cwd` (an argument vector, no shell) and returns its trimmed stdout. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execa('git', args, { cwd, env: { ...BENCH_GIT_ENV } });
  return stdout.trim();
}

const WORDS = ['user', 'order', 'item', 'cache', 'token', 'session', 'route', 'store', 'event', 'queue', 'config', 'report', 'index', 'parse', 'render', 'fetch'];

/** Source-like text of `bytes` bytes or a little more: functions, types and comments. */
function sourceText(random: Random, name: string, bytes: number): string {
  const lines = [`// ${name}: generated for the git-layer benchmark.`, `import { helper } from '../shared/helper';`, ''];
  let size = lines.join('\n').length;
  for (let index = 0; size < bytes; index += 1) {
    const word = random.pick(WORDS);
    const other = random.pick(WORDS);
    const block = [
      `/** Returns the ${word} of a ${other}, or undefined when it has none. */`,
      `export function ${word}Of${index}(${other}: { id: number; ${word}?: string }): string | undefined {`,
      `  if (${other}.id < ${random.integer(0, 1000)}) return undefined;`,
      `  return helper(${other}.${word} ?? '${other}-${random.integer(0, 1_000_000)}');`,
      '}',
      '',
    ].join('\n');
    lines.push(block);
    size += block.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** The path of file `file` of folder `folder`, relative to the repository root. */
export function sourcePath(folder: number, file: number): string {
  return `src/m${String(folder).padStart(4, '0')}/f${String(file).padStart(2, '0')}.ts`;
}

async function generate(directory: string, shape: RepositoryShape): Promise<void> {
  const random = createRandom(shape.seed ?? 1);
  const files: Array<{ path: string; text: string }> = [
    { path: 'package.json', text: `${JSON.stringify({ name: 'generated-project', private: true, version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n` },
    { path: '.gitignore', text: 'node_modules/\ndist/\ncoverage/\n.env\n*.log\n' },
    { path: 'README.md', text: `# Generated project\n\n${shape.folders} folders of ${shape.filesPerFolder} files, for the git-layer benchmark.\n` },
    { path: 'src/shared/helper.ts', text: 'export const helper = (value: string): string => value;\n' },
  ];
  for (let folder = 0; folder < shape.folders; folder += 1) {
    for (let file = 0; file < shape.filesPerFolder; file += 1) {
      const path = sourcePath(folder, file);
      files.push({ path, text: sourceText(random, path, random.integer(1024, 4096)) });
    }
  }
  for (let start = 0; start < files.length; start += 256) {
    const batch = files.slice(start, start + 256);
    await Promise.all(batch.map((file) => mkdir(join(directory, file.path, '..'), { recursive: true })));
    await Promise.all(batch.map((file) => writeFile(join(directory, file.path), file.text)));
  }
  await git(directory, ['init', '-q', '-b', 'main']);
  await git(directory, ['add', '-A']);
  await git(directory, ['commit', '-q', '-m', 'Generated project']);
}

/**
 * A repository of `shape`, generated once and kept under the OS temp folder (keyed by the
 * shape), so later runs of the benchmark reuse it. Generated in a scratch folder and renamed
 * into place, so an interrupted generation is never taken for a finished one.
 */
export async function cachedRepository(shape: RepositoryShape, log: (line: string) => void): Promise<string> {
  const directory = join(tmpdir(), `qoder-orch-bench-repo-v${GENERATOR_VERSION}-${shape.folders}x${shape.filesPerFolder}-s${shape.seed ?? 1}`);
  if (existsSync(join(directory, '.git'))) return directory;
  const startedAt = Date.now();
  const scratch = await mkdtemp(`${directory}.partial-`);
  try {
    await generate(scratch, shape);
    await rename(scratch, directory);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    if (existsSync(join(directory, '.git'))) return directory;
    throw error;
  }
  log(`(generated ${shape.folders * shape.filesPerFolder} files in ${directory} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; kept for later runs)`);
  return directory;
}

/** A fresh clone of `template` (objects hard-linked, the work tree checked out) at `destination`; returns its HEAD. */
export async function cloneRepository(template: string, destination: string): Promise<string> {
  await git(tmpdir(), ['clone', '-q', '--local', template, destination]);
  return git(destination, ['rev-parse', 'HEAD']);
}

/** The files changed on the checked-out branch since `base`. */
export async function changedSince(repository: string, base: string): Promise<string[]> {
  const output = await git(repository, ['diff', '--name-only', base, 'HEAD']);
  return output === '' ? [] : output.split('\n');
}

/** Puts the checked-out branch back on `base` and removes untracked files (ignored ones stay). */
export async function resetRepository(repository: string, base: string): Promise<void> {
  await git(repository, ['reset', '-q', '--hard', base]);
  await git(repository, ['clean', '-q', '-fd']);
}
