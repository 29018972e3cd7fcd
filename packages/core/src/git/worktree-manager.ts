import { mkdir, realpath, rename, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { dependencyExcludePatterns, findDependencyFolders, linkDependencyFolders } from './dependency-links';
import { headCommit, resolveRef, runGit, splitNul, tryGit } from './git-client';
import { DEFAULT_GIT_IDENTITY, type GitIdentity } from './git-identity';
import { ensureExcluded, ensurePrivateDirectoryExcluded, repositoryPaths } from './repository';
import { leftoverRef, PRIVATE_DIRECTORY, refComponent, taskBranch } from './ref-names';
import { workingTree } from './temporary-index';
import { assertOutsideRepository, defaultWorktreeRoot, projectWorktreeFolder } from './worktree-location';
import { commitTree, treeOf } from './working-state';

export interface WorktreeManagerOptions {
  /** The repository root (the main working tree). */
  projectDir: string;
  /** Author and committer of commits that keep leftover work. @default DEFAULT_GIT_IDENTITY */
  identity?: GitIdentity;
  /**
   * The folder under which task worktrees live, outside the repository (one sub-folder per
   * repository, `<name>-<hash>/<run>/<task>`). A folder inside the repository is refused.
   * @default defaultWorktreeRoot(): `${XDG_CACHE_HOME:-~/.cache}/qoder-orch/worktrees`
   */
  worktreeRoot?: string;
  /** Link the main checkout's installed dependency folders (`node_modules`, `.venv`, `venv`) into each new worktree. @default true */
  linkDependencies?: boolean;
  /** Called with a task worktree's path before it is removed (a provisioner's teardown); never stops the removal. */
  beforeRemove?: (path: string) => Promise<void>;
}

/** A task's worktree. */
export interface TaskWorktree {
  runId: string;
  taskId: string;
  /** Absolute path of the worktree directory. */
  path: string;
  /** Its branch, `qoder-orch/<run>/<task>`. */
  branch: string;
  /** The commit it started from. */
  base: string;
  /** Dependency folders linked from the main checkout, relative to the repository root. */
  linkedDependencies: string[];
}

/** One of our task worktrees, as git lists it. */
export interface ListedWorktree {
  path: string;
  /** The run and task it belongs to (as ref components), read from its place. */
  runId: string;
  taskId: string;
  branch?: string;
  head?: string;
  /** Git will not prune it (`git worktree lock`). */
  isLocked: boolean;
  /** Its directory is gone; only git's bookkeeping is left. */
  isPrunable: boolean;
}

/**
 * Gives each task its own `git worktree` on its own branch (`qoder-orch/<run>/<task>`), in a
 * folder outside the project tree (`<worktreeRoot>/<repository>-<hash>/<run>/<task>`), so parallel
 * agents never see each other's half-written files and no test runner or command in the project
 * ever finds them. Removing a worktree first keeps its work (uncommitted changes and branch
 * commits) under `refs/qoder-orch/leftovers/…`, so cleaning up never destroys anything.
 */
export class WorktreeManager {
  readonly #root: string;
  readonly #identity: GitIdentity;
  readonly #directory: string;
  /** Where earlier versions put worktrees (inside the project): still ours to list and clean. */
  readonly #legacyDirectory: string;
  readonly #isLinkingDependencies: boolean;
  readonly #beforeRemove: ((path: string) => Promise<void>) | undefined;
  /** The main checkout's dependency folders, looked up once: installing is not something a run does. */
  #dependencyFolders: Promise<string[]> | undefined;
  #isExcluded = false;

  constructor(options: WorktreeManagerOptions) {
    this.#root = resolve(options.projectDir);
    this.#identity = options.identity ?? DEFAULT_GIT_IDENTITY;
    this.#directory = projectWorktreeFolder(options.worktreeRoot ?? defaultWorktreeRoot(), this.#root);
    assertOutsideRepository(this.#directory, this.#root);
    this.#legacyDirectory = resolve(this.#root, PRIVATE_DIRECTORY, 'worktrees');
    this.#isLinkingDependencies = options.linkDependencies ?? true;
    this.#beforeRemove = options.beforeRemove;
  }

  /** The folder that holds this repository's task worktrees, one sub-folder per run. */
  get directory(): string {
    return this.#directory;
  }

  /** The folder of one run's worktrees. */
  runDirectory(runId: string): string {
    return join(this.#directory, refComponent(runId));
  }

  /**
   * Creates the worktree of a task at `base`. A worktree or branch left by an earlier attempt of
   * the same task is set aside first (kept under a leftover ref).
   */
  async add(runId: string, taskId: string, base: string): Promise<TaskWorktree> {
    const path = this.pathOf(runId, taskId);
    const branch = taskBranch(runId, taskId);
    const { commonDir } = await this.prepareRepository();
    await this.remove(runId, taskId, { label: 'previous-attempt' });
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    ) {
      // A directory git no longer knows (a crash mid-add): move it aside, never delete it.
      await rename(path, `${path}.orphan-${Date.now()}`);
    }
    await mkdir(dirname(path), { recursive: true });
    await runGit(this.#root, ['worktree', 'add', '-q', '--no-track', '-b', branch, path, base]);
    let linkedDependencies: string[] = [];
    if (this.#isLinkingDependencies) {
      this.#dependencyFolders ??= findDependencyFolders(this.#root);
      linkedDependencies = await linkDependencyFolders({ root: this.#root, worktree: path, commonDir, folders: await this.#dependencyFolders });
    }
    return { runId, taskId, path, branch, base, linkedDependencies };
  }

  /**
   * Writes, once, the repository's `info/exclude` lines every task worktree needs: the private
   * folder and a literal pattern for each dependency folder that will be linked (a link is not a
   * folder to git, so `node_modules/` would not hide it). Called before a run's repository guard
   * takes its record, so the guard never mistakes the run's own lines for an agent's tampering.
   */
  async prepareRepository(): Promise<{ commonDir: string }> {
    const { commonDir } = await repositoryPaths(this.#root);
    if (!this.#isExcluded) {
      await ensurePrivateDirectoryExcluded(commonDir);
      if (this.#isLinkingDependencies) {
        this.#dependencyFolders ??= findDependencyFolders(this.#root);
        await ensureExcluded(commonDir, dependencyExcludePatterns(await this.#dependencyFolders));
      }
      this.#isExcluded = true;
    }
    return { commonDir };
  }

  /** The absolute directory of a task's worktree. */
  pathOf(runId: string, taskId: string): string {
    return join(this.#directory, refComponent(runId), refComponent(taskId));
  }

  /**
   * Removes a task's worktree and branch. Uncommitted work in it and commits on its branch that
   * are not on HEAD are kept under `refs/qoder-orch/leftovers/<run>/<task>/<label>` first.
   *
   * @returns the leftover ref, when there was work to keep.
   */
  async remove(runId: string, taskId: string, options: { label?: string } = {}): Promise<{ leftoverRef?: string }> {
    const listed = (await this.list()).find((worktree) => worktree.runId === refComponent(runId) && worktree.taskId === refComponent(taskId));
    return this.#remove(listed, runId, taskId, options.label ?? 'removed');
  }

  async #remove(listed: ListedWorktree | undefined, runId: string, taskId: string, label: string): Promise<{ leftoverRef?: string }> {
    const branch = taskBranch(runId, taskId);
    let kept: string | undefined;
    if (listed !== undefined && !listed.isPrunable) {
      await this.#beforeRemove?.(listed.path).catch(() => undefined);
      kept = await this.#keepWork(listed.path, runId, taskId, label);
      await runGit(this.#root, ['worktree', 'remove', '--force', '--force', listed.path]);
    }
    await tryGit(this.#root, ['worktree', 'prune']);
    // The run's folder, once empty (rmdir refuses a folder that still holds other worktrees).
    if (listed !== undefined) await rmdir(dirname(listed.path)).catch(() => undefined);
    const tip = await resolveRef(this.#root, `refs/heads/${branch}`);
    if (tip !== undefined) {
      const head = await headCommit(this.#root);
      const isMerged = head !== undefined && (await tryGit(this.#root, ['merge-base', '--is-ancestor', tip, head])).isOk;
      if (!isMerged && kept === undefined) {
        kept = await this.#unusedRef(leftoverRef(runId, taskId, `${label}-branch`));
        await runGit(this.#root, ['update-ref', kept, tip]);
      }
      await runGit(this.#root, ['branch', '-D', '-q', branch]);
    }
    return kept === undefined ? {} : { leftoverRef: kept };
  }

  /** Our task worktrees (in this repository's worktree folder, or where earlier versions put them), as git knows them. */
  async list(): Promise<ListedWorktree[]> {
    const output = await runGit(this.#root, ['worktree', 'list', '--porcelain', '-z']);
    const folders = [...new Set([this.#directory, await realpath(this.#directory).catch(() => this.#directory), this.#legacyDirectory])];
    const worktrees: ListedWorktree[] = [];
    let current: ListedWorktree | undefined;
    for (const field of splitNul(output)) {
      if (field.startsWith('worktree ')) {
        const path = resolve(field.slice('worktree '.length));
        const folder = folders.find((candidate) => path.startsWith(`${candidate}${sep}`));
        const [runId = '', taskId = ''] = folder === undefined ? [] : path.slice(folder.length + 1).split(sep);
        current = { path, runId, taskId, isLocked: false, isPrunable: false };
        if (folder !== undefined) worktrees.push(current);
      } else if (current !== undefined) {
        if (field.startsWith('HEAD ')) current.head = field.slice(5);
        else if (field.startsWith('branch ')) current.branch = field.slice('branch refs/heads/'.length);
        else if (field === 'locked' || field.startsWith('locked ')) current.isLocked = true;
        else if (field === 'prunable' || field.startsWith('prunable ')) current.isPrunable = true;
      }
    }
    return worktrees;
  }

  /**
   * Cleans worktrees and task branches a crashed or failed run left behind, except those of
   * `keepRunId` (or all but those of `onlyRunId`): their work is kept under leftover refs
   * (`…/<label>`, default `crashed`), then they are removed (locked ones too).
   *
   * @returns the leftover refs written.
   */
  async cleanLeftovers(options: { keepRunId?: string; onlyRunId?: string; label?: string } = {}): Promise<string[]> {
    await tryGit(this.#root, ['worktree', 'prune']);
    const kept: string[] = [];
    const seen = new Set<string>();
    const label = options.label ?? 'crashed';
    const isSpared = (runId: string) => (options.keepRunId !== undefined && runId === refComponent(options.keepRunId)) || (options.onlyRunId !== undefined && runId !== refComponent(options.onlyRunId));
    for (const worktree of await this.list()) {
      seen.add(`${worktree.runId}/${worktree.taskId}`);
      if (isSpared(worktree.runId)) continue;
      const result = await this.#remove(worktree, worktree.runId, worktree.taskId, label);
      if (result.leftoverRef !== undefined) kept.push(result.leftoverRef);
    }
    const branches = splitNul(await runGit(this.#root, ['for-each-ref', '--format=%(refname:strip=2)%00', 'refs/heads/qoder-orch/']).then((text) => text.replace(/\n/g, '')));
    for (const branch of branches) {
      const [, runId = '', taskId = ''] = branch.split('/');
      if (isSpared(runId)) continue;
      if (seen.has(`${runId}/${taskId}`)) continue;
      const result = await this.#remove(undefined, runId, taskId, label);
      if (result.leftoverRef !== undefined) kept.push(result.leftoverRef);
    }
    return kept;
  }

  /** Keeps a worktree's uncommitted work (a commit on top of its HEAD) under a leftover ref. */
  async #keepWork(path: string, runId: string, taskId: string, label: string): Promise<string | undefined> {
    const head = await headCommit(path);
    const tree = await workingTree(path).catch(() => undefined);
    if (head === undefined || tree === undefined) return undefined;
    const branchTip = head;
    const isChanged = tree !== (await treeOf(this.#root, head));
    const base = await this.#mergeBaseWithHead(branchTip);
    if (!isChanged && base === branchTip) return undefined;
    const commit = isChanged ? await commitTree(this.#root, tree, { parents: [head], message: `qoder-orch: work left in the worktree of task ${taskId} (run ${runId})`, identity: this.#identity }) : head;
    const ref = await this.#unusedRef(leftoverRef(runId, taskId, label));
    await runGit(this.#root, ['update-ref', ref, commit]);
    return ref;
  }

  /** `ref`, or `ref-2`, `ref-3`… when it already holds earlier work: leftovers are never overwritten. */
  async #unusedRef(ref: string): Promise<string> {
    let candidate = ref;
    for (let suffix = 2; (await resolveRef(this.#root, candidate)) !== undefined; suffix += 1) candidate = `${ref}-${suffix}`;
    return candidate;
  }

  async #mergeBaseWithHead(commit: string): Promise<string | undefined> {
    const head = await headCommit(this.#root);
    if (head === undefined) return undefined;
    const result = await tryGit(this.#root, ['merge-base', commit, head]);
    return result.isOk ? result.output.trim() : undefined;
  }
}
