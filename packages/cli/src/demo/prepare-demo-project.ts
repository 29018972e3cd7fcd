import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchestratorError } from '@qoder-orch/core';
import { simpleGit } from 'simple-git';
import { findUpwards } from './find-upwards';

/** Where the sample project lives in this repository (found from this module upwards). */
export function findSampleProject(): string {
  const found = findUpwards(dirname(fileURLToPath(import.meta.url)), join('examples', 'todo-app', 'package.json'));
  if (!found) {
    throw new OrchestratorError({
      code: 'NOT_INSTALLED',
      message: 'The demo needs the sample project examples/todo-app, which is not next to this installation.',
      fix: 'Run the demo from a clone of the qoder-orch repository: pnpm install && pnpm demo',
    });
  }
  return dirname(found);
}

/** The environment for our git commands: no redirections (GIT_*), editors or pagers from the caller. */
export function cleanGitEnvironment(): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(GIT_|EDITOR$|VISUAL$|PAGER$|SSH_ASKPASS$)/i.test(name)) continue;
    environment[name] = value;
  }
  return environment;
}

export const DEMO_GIT_IDENTITY = { GIT_AUTHOR_NAME: 'qoder-orch demo', GIT_AUTHOR_EMAIL: 'demo@qoder-orch.localhost', GIT_COMMITTER_NAME: 'qoder-orch demo', GIT_COMMITTER_EMAIL: 'demo@qoder-orch.localhost' };

/**
 * Copies the sample project into a new temporary git repository with one commit, so the demo
 * never touches the original. Returns the repository's path.
 */
export async function prepareDemoProject(options: { sampleDir?: string; parentDir?: string } = {}): Promise<string> {
  const source = options.sampleDir ?? findSampleProject();
  const root = await mkdtemp(join(options.parentDir ?? tmpdir(), 'qoder-orch-demo-'));
  const projectDir = join(root, 'todo-app');
  await cp(source, projectDir, { recursive: true, filter: (path) => !/[\\/](node_modules|\.qoder-orch)([\\/]|$)/.test(path) });
  const git = simpleGit({ baseDir: projectDir, config: ['commit.gpgSign=false', 'init.defaultBranch=main'] }).env({ ...cleanGitEnvironment(), ...DEMO_GIT_IDENTITY });
  await git.init();
  await git.add(['-A']);
  await git.commit('todo-app: the starting point of the demo');
  return projectDir;
}
