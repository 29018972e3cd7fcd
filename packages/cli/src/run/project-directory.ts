import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../cli/usage-error';

/** `--project-dir` resolved against the current directory; it must be an existing directory. */
export async function resolveProjectDirectory(projectDir: string | undefined, cwd: string): Promise<string> {
  const path = resolve(cwd, projectDir ?? '.');
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`The project directory ${path} does not exist.`, 'Pass --project-dir <dir> with the path of your git repository.');
  if (!info.isDirectory()) throw new UsageError(`The project path ${path} is not a directory.`, 'Pass --project-dir <dir> with the path of your git repository.');
  return path;
}
