import { OrchestratorError } from '@qoder-orch/spec';
import { headCommit, resolveRef, runGit, tryGit } from '../git/git-client';
import { leftoverRef } from '../git/ref-names';
import { restoreTree } from '../git/restore-tree';
import type { RollbackManager } from '../git/rollback-manager';
import type { RunBranch } from '../git/task-workspace';
import { describePaths, dirtyPaths } from './repository-state';

/** The branch a run works on when none is named (`--pr` alone): never under a task branch's `qoder-orch/<run>/` folder. */
export function defaultRunBranch(runId: string): string {
  return `qoder-orch/run-${runId}`;
}

/**
 * Checks a branch name as git does (`git check-ref-format --branch`) and returns its full ref.
 * Refuses, with `BRANCH_INVALID`, what git would not take as a new branch name.
 */
export async function branchRef(root: string, name: string): Promise<string> {
  const checked = name.startsWith('-') || name.trim() !== name || name === '' ? undefined : await tryGit(root, ['check-ref-format', '--branch', name]);
  // `--branch` also expands `@{-1}`: only a name that stays itself is a new branch's name.
  if (checked === undefined || !checked.isOk || checked.output.trim() !== name || name === 'HEAD') {
    throw new OrchestratorError({
      code: 'BRANCH_INVALID',
      message: `${JSON.stringify(name)} is not a valid branch name.`,
      fix: 'Use letters, digits, "/", "-", "_" and "." (no spaces, "..", "~", "^", ":", "?", "*", "[", "@{" or leading "-"), e.g. `--branch feature/login`.',
    });
  }
  return `refs/heads/${name}`;
}

/** Refuses a name that is not a valid branch name (`BRANCH_INVALID`) or names an existing branch (`BRANCH_EXISTS`). */
export async function refuseTakenBranch(root: string, name: string): Promise<void> {
  const ref = await branchRef(root, name);
  if ((await resolveRef(root, ref)) !== undefined) {
    throw new OrchestratorError({
      code: 'BRANCH_EXISTS',
      message: `The branch ${name} already exists; a run works on a new branch of its own.`,
      fix: `Name another branch (\`--branch ${name}-2\`), delete that one (\`git branch -D ${name}\`), or resume the run that made it (\`qoder-orchestrate --resume <run-id>\`).`,
    });
  }
}

/** Where HEAD points now: the branch it is on, else the commit (detached). */
async function currentHead(root: string): Promise<{ ref?: string; commit: string }> {
  const symbolic = await tryGit(root, ['symbolic-ref', '-q', 'HEAD']);
  const commit = (await headCommit(root)) as string;
  return symbolic.isOk ? { ref: symbolic.output.trim(), commit } : { commit };
}

/** Moves the checkout from commit `from` to `target` (like `git checkout`, no hooks), then points HEAD at `ref` or detaches it at `target`. */
async function switchCheckout(root: string, from: string, target: string, ref: string | undefined, reason: string): Promise<void> {
  await tryGit(root, ['update-index', '-q', '--refresh']);
  if (from !== target) await runGit(root, ['read-tree', '-m', '-u', from, target]);
  if (ref === undefined) await runGit(root, ['update-ref', '--no-deref', '-m', `qoder-orch: ${reason}`, 'HEAD', target]);
  else await runGit(root, ['symbolic-ref', '-m', `qoder-orch: ${reason}`, 'HEAD', ref]);
}

/**
 * Puts the checkout on the run's own branch (`branch.name`), called by `begin` once the work
 * tree is clean (the user's uncommitted work set aside). A new run creates the branch at HEAD,
 * refusing an existing one (`BRANCH_EXISTS`); only HEAD changes, not a file. A resumed run
 * (`isResume`) goes back to the branch it recorded: its own branch, created if missing; work
 * the user left in the tree meanwhile is set aside under a `--resume-` label (put back by `end`,
 * on the user's branch). Returns the branch with where `end` returns the checkout to.
 */
export async function enterRunBranch(root: string, options: { branch: RunBranch; runId: string; isResume: boolean; rollback: RollbackManager }): Promise<{ branch: RunBranch; warnings: string[] }> {
  const { branch, runId, rollback } = options;
  const ref = await branchRef(root, branch.name);
  const head = await currentHead(root);
  const tip = await resolveRef(root, ref);
  const warnings: string[] = [];
  if (!options.isResume) await refuseTakenBranch(root, branch.name);
  const returnTo = branch.returnTo ?? head.ref ?? head.commit;
  if (head.ref === ref) return { branch: { name: branch.name, returnTo }, warnings };
  if (tip === undefined) {
    const created = await tryGit(root, ['update-ref', '-m', `qoder-orch: run ${runId} works on ${branch.name}`, ref, head.commit, '']);
    if (!created.isOk) {
      throw new OrchestratorError({ code: 'BRANCH_INVALID', message: `The branch ${branch.name} cannot be created: ${created.message}`, fix: 'Name another branch (an existing branch may be a folder of that name).' });
    }
    if (options.isResume) warnings.push(`The run's branch ${branch.name} was missing; it is made again from ${head.commit.slice(0, 12)}.`);
    await switchCheckout(root, head.commit, head.commit, ref, `run ${runId} works on ${branch.name}`);
    return { branch: { name: branch.name, returnTo }, warnings };
  }
  const dirty = await dirtyPaths(root);
  if (dirty.length > 0) {
    const aside = await rollback.setAsideUserWork(`${runId}--resume-${Date.now()}`);
    if (aside !== undefined) warnings.push(`Your uncommitted changes (${describePaths(dirty)}) are set aside at ${aside.ref} while the run works on ${branch.name}; they are put back when it ends.`);
  }
  await switchCheckout(root, head.commit, tip, ref, `run ${runId} resumes on ${branch.name}`);
  return { branch: { name: branch.name, returnTo }, warnings };
}

/**
 * Puts the user's checkout back where it was before the run (`branch.returnTo`), leaving the
 * run's branch with the run's commits. Changes still in the tree (a failed task's work kept
 * without rollback) are kept under a leftover ref first. Returns the branch's last commit.
 */
export async function leaveRunBranch(root: string, options: { branch: RunBranch; runId: string; rollback: RollbackManager }): Promise<{ head?: string; returnedTo?: string; warnings: string[] }> {
  const { branch, runId } = options;
  const ref = `refs/heads/${branch.name}`;
  const tip = await resolveRef(root, ref);
  const head = await currentHead(root);
  const warnings: string[] = [];
  const returnTo = branch.returnTo;
  const target = returnTo === undefined ? undefined : returnTo.startsWith('refs/') ? await resolveRef(root, returnTo) : returnTo;
  if (head.ref !== ref || tip === undefined || target === undefined) {
    warnings.push(
      head.ref !== ref
        ? `The checkout is no longer on the run's branch ${branch.name}; it is left as it is.`
        : `The checkout stays on the run's branch ${branch.name}: ${returnTo === undefined ? 'where it was before is not known' : `${shortName(returnTo)} no longer exists`}.`,
    );
    return { ...(tip === undefined ? {} : { head: tip }), warnings };
  }
  const left = await dirtyPaths(root);
  if (left.length > 0) {
    const state = await options.rollback.stateOf({ message: `qoder-orch: left in the tree on ${branch.name} by run ${runId}` });
    const keptAt = leftoverRef(runId, 'branch', 'left-in-tree');
    await runGit(root, ['update-ref', '-m', 'qoder-orch: left in the tree', keptAt, state.commit]);
    await restoreTree(root, tip);
    await runGit(root, ['reset', '-q']);
    warnings.push(`Changes left in the work tree on ${branch.name} (${describePaths(left)}) are kept at ${keptAt} (\`git diff ${branch.name} ${keptAt}\`).`);
  }
  await switchCheckout(root, tip, target, returnTo?.startsWith('refs/') ? returnTo : undefined, `run ${runId} ends; back from ${branch.name}`);
  return { head: tip, returnedTo: shortName(returnTo as string), warnings };
}

/** `refs/heads/main` → `main`; a commit stays a commit. */
export function shortName(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}
