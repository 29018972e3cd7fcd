import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const gitIdentity = { GIT_AUTHOR_NAME: 'Example', GIT_AUTHOR_EMAIL: 'example@example.com', GIT_COMMITTER_NAME: 'Example', GIT_COMMITTER_EMAIL: 'example@example.com' };

/** A real git repository with one commit of `files`, in a new temporary folder. */
export function temporaryGitRepository(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'qoder-orch-any-model-'));
  const git = (args: string[]) => execFileSync('git', args, { cwd: directory, env: { ...process.env, ...gitIdentity }, stdio: 'pipe' });
  git(['init', '-q', '-b', 'main']);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(directory, path, '..'), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'initial commit']);
  return directory;
}
