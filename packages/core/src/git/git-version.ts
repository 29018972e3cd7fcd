import { tryGit } from './git-client';

/** `git merge-tree --write-tree` (merges and reverts computed without touching any work tree) needs git 2.38. */
export const MINIMUM_GIT_VERSION = [2, 38] as const;

export interface GitVersion {
  /** As git prints it, e.g. `2.43.0`. */
  text: string;
  isSupported: boolean;
}

/** Versions found, by the PATH git was looked up on: the preflight and the workspace's begin both ask, once per run. */
const knownVersions = new Map<string, GitVersion>();

/** The installed git's version, or the reason it could not be run (a failure is not remembered: git may be installed next). */
export async function gitVersion(cwd: string): Promise<{ isOk: true; version: GitVersion } | { isOk: false; message: string }> {
  const path = process.env['PATH'] ?? '';
  const known = knownVersions.get(path);
  if (known !== undefined) return { isOk: true, version: { ...known } };
  const found = await askGitVersion(cwd);
  if (found.isOk) knownVersions.set(path, found.version);
  return found;
}

async function askGitVersion(cwd: string): Promise<{ isOk: true; version: GitVersion } | { isOk: false; message: string }> {
  const result = await tryGit(cwd, ['--version']).catch((error: unknown) => ({ isOk: false as const, message: String(error) }));
  if (!result.isOk) return { isOk: false, message: result.message.split('\n')[0] ?? result.message };
  const match = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(result.output);
  if (!match) return { isOk: true, version: { text: result.output.trim(), isSupported: true } };
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const isSupported = major > MINIMUM_GIT_VERSION[0] || (major === MINIMUM_GIT_VERSION[0] && minor >= MINIMUM_GIT_VERSION[1]);
  return { isOk: true, version: { text: `${match[1]}.${match[2]}${match[3] === undefined ? '' : `.${match[3]}`}`, isSupported } };
}
