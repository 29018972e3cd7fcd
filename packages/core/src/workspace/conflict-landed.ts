import { isAncestor, resolveRef, runGit, tryGit } from '../git/git-client';
import { treeChanges } from '../git/working-state';

export interface ConflictLanding {
  /** Every file of the kept change is on the integration branch as the change left it. */
  isLanded: boolean;
  /** Repository-relative files whose part of the change is not there (all of them when the ref is gone). */
  missing: string[];
}

async function blobAt(cwd: string, commit: string, path: string): Promise<string | undefined> {
  const result = await tryGit(cwd, ['rev-parse', '--verify', '-q', `${commit}:${path}`]);
  return result.isOk && result.output.trim() ? result.output.trim() : undefined;
}

/**
 * Whether a conflicted task's change, kept at `ref`, is on the integration branch (`head`),
 * read from git by the orchestrator. For every file the change touched: a file it deleted is
 * gone; a file it added or changed is there, and either every non-blank line it added is in
 * that file on `head`, or a resolution merged the kept commit in (as a second parent) and
 * left the file different from the integration side it started from. Binary files must
 * match exactly. An agent saying it resolved the conflict, or a follow-up that changed
 * nothing, does not move this.
 */
export async function conflictChangeLanded(options: { cwd: string; ref: string; baseCommit: string; head?: string }): Promise<ConflictLanding> {
  const { cwd, ref, baseCommit } = options;
  const head = options.head ?? 'HEAD';
  const tip = await resolveRef(cwd, ref);
  if (tip === undefined) return { isLanded: false, missing: [ref] };
  const missing: string[] = [];
  let resolution: string | undefined;
  for (const { status, path } of await treeChanges(cwd, baseCommit, tip)) {
    const onHead = await blobAt(cwd, head, path);
    if (status.startsWith('D')) {
      if (onHead !== undefined) missing.push(path);
      continue;
    }
    if (onHead === undefined) {
      missing.push(path);
      continue;
    }
    const kept = await blobAt(cwd, tip, path);
    if (kept === onHead) continue;
    const diff = await runGit(cwd, ['diff', '--no-color', '--no-ext-diff', '-U0', baseCommit, tip, '--', `:(literal)${path}`]);
    if (/^Binary files /m.test(diff)) {
      missing.push(path);
      continue;
    }
    const added = diff
      .split('\n')
      .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
      .map((line) => line.slice(1).trim())
      .filter((line) => line !== '');
    if (added.length === 0) continue;
    const present = new Set((await runGit(cwd, ['cat-file', 'blob', onHead])).split('\n').map((line) => line.trim()));
    if (!added.some((line) => !present.has(line))) continue;
    // A resolution may rewrite conflicting lines. It counts when it merged the kept work in
    // (the commit that did is a child of the kept commit) and changed the file from what the
    // integration branch had then: keeping only the integration side's version drops the work.
    resolution ??= await resolutionOf(cwd, tip, head);
    const ours = resolution === undefined ? undefined : await blobAt(cwd, `${resolution}^1`, path);
    if (resolution === undefined || ours === onHead) missing.push(path);
  }
  return { isLanded: missing.length === 0, missing };
}

/** The commit on `head`'s history that merged `tip` in as a second parent (a conflict resolution), if any. */
async function resolutionOf(cwd: string, tip: string, head: string): Promise<string | undefined> {
  if (!(await isAncestor(cwd, tip, head).catch(() => false))) return undefined;
  const listed = await tryGit(cwd, ['rev-list', '--parents', '--ancestry-path', '--reverse', `${tip}..${head}`]);
  if (!listed.isOk) return undefined;
  for (const line of listed.output.split('\n')) {
    const [commit, first, ...others] = line.trim().split(' ');
    if (commit && first && others.includes(tip)) return commit;
  }
  return undefined;
}
