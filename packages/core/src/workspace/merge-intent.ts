import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@qoder-orch/spec';
import { headCommit, runGit, tryGit } from '../git/git-client';
import { indexTree } from '../git/temporary-index';
import { treeOf } from '../git/working-state';

/**
 * A journal entry written before the integration head moves (a merge, a task commit, a revert)
 * and removed after. If a run dies between updating the files and moving the ref, the next run
 * finds it and puts the files back, so no half-merge is ever left behind.
 */
export interface MergeIntent {
  runId: string;
  taskId: string;
  from: string;
  to: string;
}

const intentFile = (commonDir: string) => join(commonDir, 'qoder-orch', 'merge-intent.json');

export async function writeMergeIntent(commonDir: string, intent: MergeIntent): Promise<void> {
  await mkdir(join(commonDir, 'qoder-orch'), { recursive: true });
  await writeFileAtomic(intentFile(commonDir), `${JSON.stringify(intent)}\n`);
}

export async function clearMergeIntent(commonDir: string): Promise<void> {
  await rm(intentFile(commonDir), { force: true });
}

/**
 * Finishes what a crash interrupted: a head that already moved is kept; files that were updated
 * for a head that never moved are put back. Returns a sentence for the run's warnings, if any.
 */
export async function settleMergeIntent(root: string, commonDir: string): Promise<string | undefined> {
  const text = await readFile(intentFile(commonDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let intent: MergeIntent;
  try {
    intent = JSON.parse(text) as MergeIntent;
  } catch {
    await clearMergeIntent(commonDir);
    return undefined;
  }
  const head = await headCommit(root);
  if (head === intent.to) {
    await clearMergeIntent(commonDir);
    return `The merge of task ${intent.taskId} (run ${intent.runId}) had completed before the run stopped.`;
  }
  if (head === intent.from && (await indexTree(root)) === (await treeOf(root, intent.to))) {
    const undone = await tryGit(root, ['read-tree', '-m', '-u', intent.to, intent.from]);
    if (undone.isOk) {
      await clearMergeIntent(commonDir);
      return `An interrupted merge of task ${intent.taskId} (run ${intent.runId}) was undone; the work tree is back at ${intent.from.slice(0, 12)}.`;
    }
    return `An interrupted merge of task ${intent.taskId} (run ${intent.runId}) could not be undone: ${undone.message}`;
  }
  await clearMergeIntent(commonDir);
  await runGit(root, ['update-index', '-q', '--refresh']).catch(() => undefined);
  return undefined;
}
