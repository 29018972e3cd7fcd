import { runGit } from '../git/git-client';
import type { SecretRedactor } from '@qoder-orch/spec';

/**
 * The files whose lines added by `commit` (against its first parent, or against `from`) hold a
 * secret value in any encoding. An agent's files are its work and are committed as written; this
 * is how the run finds out, to say so.
 */
export async function filesWithSecrets(cwd: string, commit: string, redactor: SecretRedactor, options: { from?: string } = {}): Promise<string[]> {
  if (redactor.values.length === 0) return [];
  const patch = await runGit(cwd, ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '--no-renames', '--unified=0', options.from ?? `${commit}^1`, commit]);
  const files = new Set<string>();
  let file = '';
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ')) file = line.replace(/^\+\+\+ (b\/)?/, '');
    else if (line.startsWith('+') && file && redactor.isLeaking(line.slice(1))) files.add(file);
  }
  return [...files];
}
