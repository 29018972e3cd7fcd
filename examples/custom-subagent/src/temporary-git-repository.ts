import { execFile } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** A commit identity through the environment, so no global git configuration is needed. */
const IDENTITY = { GIT_AUTHOR_NAME: 'Example', GIT_AUTHOR_EMAIL: 'example@example.com', GIT_COMMITTER_NAME: 'Example', GIT_COMMITTER_EMAIL: 'example@example.com' };

/** A new git repository in the temp folder holding a copy of `template`, in one commit on `main`. */
export async function gitRepositoryFrom(template: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-example-'));
  const git = (args: string[]) => run('git', args, { cwd: root, env: { ...process.env, ...IDENTITY } });
  await git(['init', '-q', '--initial-branch=main']);
  await cp(template, root, { recursive: true });
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'initial']);
  return root;
}
