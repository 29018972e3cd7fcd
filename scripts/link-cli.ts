/**
 * `pnpm link:cli` (and the first step of `pnpm demo`, after the build): puts `qoder-orchestrate`
 * on the PATH the way `npm link` would, without npm touching this pnpm workspace — a symbolic
 * link in npm's global bin folder (where `npm install -g pnpm` put `pnpm`) to the built
 * `packages/cli/dist/bin.js`. Node follows the link, so the CLI finds its workspace packages.
 *
 * It never replaces a `qoder-orchestrate` that is not its own link (another install stays), and
 * a folder it cannot write to is not an error: it prints the exact command to run instead.
 */
import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readlink, stat, symlink } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const COMMAND_NAME = 'qoder-orchestrate';

export type LinkOutcome =
  | { kind: 'linked'; link: string; target: string; isOnPath: boolean }
  | { kind: 'already-linked'; link: string; target: string; isOnPath: boolean }
  /** Something else answers to the name there: left alone. */
  | { kind: 'taken'; link: string; target: string; existing: string }
  | { kind: 'not-built'; target: string }
  /** The folder could not be written (permissions, not a folder): the command to run by hand. */
  | { kind: 'not-writable'; link: string; target: string; reason: string; command: string };

export interface LinkCliOptions {
  /** The folder the link goes in. */
  binDir: string;
  /** The CLI's entry, built. */
  target: string;
  /** Folders of `PATH`, to say whether the command will be found. @default process.env.PATH */
  pathVariable?: string;
}

export async function linkCli({ binDir, target, pathVariable = process.env.PATH ?? '' }: LinkCliOptions): Promise<LinkOutcome> {
  const absoluteTarget = resolve(target);
  const isBuilt = await stat(absoluteTarget).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!isBuilt) return { kind: 'not-built', target: absoluteTarget };
  const link = join(binDir, COMMAND_NAME);
  const isOnPath = pathVariable.split(delimiter).some((folder) => folder !== '' && resolve(folder) === resolve(binDir));
  const notWritable = (error: unknown): LinkOutcome => {
    const { code, message } = error as NodeJS.ErrnoException;
    return { kind: 'not-writable', link, target: absoluteTarget, reason: code ?? message, command: `ln -s '${absoluteTarget}' '${link}'` };
  };
  let existing: Stats | undefined;
  try {
    existing = await lstat(link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return notWritable(error);
  }
  if (existing !== undefined) {
    const pointsAt = existing.isSymbolicLink() ? resolve(binDir, await readlink(link)) : undefined;
    if (pointsAt === absoluteTarget) return { kind: 'already-linked', link, target: absoluteTarget, isOnPath };
    return { kind: 'taken', link, target: absoluteTarget, existing: pointsAt ?? (existing.isDirectory() ? 'a folder' : 'a file') };
  }
  try {
    await mkdir(binDir, { recursive: true });
    await symlink(absoluteTarget, link);
  } catch (error) {
    return notWritable(error);
  }
  return { kind: 'linked', link, target: absoluteTarget, isOnPath };
}

/** One line (two when the folder is not on PATH) saying what happened and what to do. */
export function describeOutcome(outcome: LinkOutcome): string {
  const pathHint = (binDir: string) => `\n  ${binDir} is not on your PATH: add it (export PATH="${binDir}:$PATH") to run \`${COMMAND_NAME}\` by name.`;
  switch (outcome.kind) {
    case 'linked':
      return `${COMMAND_NAME} is now a command: ${outcome.link} → ${outcome.target}${outcome.isOnPath ? '' : pathHint(resolve(outcome.link, '..'))}`;
    case 'already-linked':
      return `${COMMAND_NAME} is a command: ${outcome.link} → ${outcome.target}${outcome.isOnPath ? '' : pathHint(resolve(outcome.link, '..'))}`;
    case 'taken':
      return `${outcome.link} is another install of ${COMMAND_NAME} (${outcome.existing}); left alone. This checkout's CLI: node ${outcome.target}`;
    case 'not-built':
      return `${outcome.target} is missing: run \`pnpm build\` first.`;
    case 'not-writable':
      return `Could not link ${COMMAND_NAME} into ${resolve(outcome.link, '..')} (${outcome.reason}). To make it a command: ${outcome.command}   (or run: node ${outcome.target})`;
  }
}

/** npm's global bin folder: `QODER_ORCH_BIN_DIR` when set, else `<npm prefix -g>/bin` (the prefix itself on Windows). */
export async function globalBinDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.QODER_ORCH_BIN_DIR) return resolve(env.QODER_ORCH_BIN_DIR);
  const { stdout } = await promisify(execFile)('npm', ['prefix', '-g'], { env, shell: process.platform === 'win32' });
  const prefix = stdout.trim();
  return process.platform === 'win32' ? prefix : join(prefix, 'bin');
}

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const outcome = await linkCli({ binDir: await globalBinDir(), target: join(root, 'packages', 'cli', 'dist', 'bin.js') });
  console.log(describeOutcome(outcome));
  if (outcome.kind === 'not-built') process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
