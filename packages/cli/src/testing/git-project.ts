import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { cleanGitEnvironment, DEMO_GIT_IDENTITY } from '../demo/prepare-demo-project';

/** A temporary git repository with the given files in one commit (a clean work tree). */
export async function createGitProject(files: Record<string, string>): Promise<string> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-cli-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(projectDir, name), content);
  const git = simpleGit({ baseDir: projectDir, config: ['commit.gpgSign=false', 'init.defaultBranch=main'] }).env({ ...cleanGitEnvironment(), ...DEMO_GIT_IDENTITY });
  await git.init();
  await git.add(['-A']);
  await git.commit('start');
  return projectDir;
}
