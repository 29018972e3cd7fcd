import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** A commit identity through the environment, so no global git configuration is needed. */
const IDENTITY = { GIT_AUTHOR_NAME: 'Example', GIT_AUTHOR_EMAIL: 'example@example.com', GIT_COMMITTER_NAME: 'Example', GIT_COMMITTER_EMAIL: 'example@example.com' };

/** A new git repository in the temp folder with the given files in one commit on `main`. */
export async function createTemporaryGitRepository(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-example-'));
  const git = (args: string[]) => run('git', args, { cwd: root, env: { ...process.env, ...IDENTITY } });
  await git(['init', '-q', '--initial-branch=main']);
  for (const [path, content] of Object.entries(files)) await writeFile(join(root, path), content);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'initial']);
  return root;
}

/** `git log --format=%s main`, newest first. */
export async function commitSubjects(root: string): Promise<string[]> {
  const { stdout } = await run('git', ['log', '--format=%s', 'main'], { cwd: root });
  return stdout.trim().split('\n');
}
