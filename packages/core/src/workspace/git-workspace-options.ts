import type { GitIdentity } from '../git/git-identity';
import type { ProvisionSettings } from './provision/provision-types';

export interface GitWorkspaceOptions {
  /** The project directory: a repository root, or a directory inside one (tasks then work in the same sub-directory). */
  projectDir: string;
  /**
   * `worktree`: every task in its own `git worktree` and branch, merged back one at a time;
   * `shared`: every task in the project directory, checkpointed before and committed after.
   */
  isolation: 'worktree' | 'shared';
  /** Author and committer of every commit the run makes (never read from git config). @default DEFAULT_GIT_IDENTITY */
  identity?: GitIdentity;
  /** Keep a checkpoint ref before every task (`rollback.create_checkpoints`). Rollback needs it. @default true */
  createCheckpoints?: boolean;
  /**
   * With isolation `worktree`: the folder under which task worktrees live, outside the project
   * (`execution.worktree_root`). @default `${XDG_CACHE_HOME:-~/.cache}/qoder-orch/worktrees`
   */
  worktreeRoot?: string;
  /** With isolation `worktree`: link the main checkout's `node_modules`, `.venv` and `venv` folders into each worktree. @default true */
  linkDependencies?: boolean;
  /**
   * With isolation `worktree`: what each new worktree gets (the `workspace` configuration):
   * `.worktreeinclude` files, dependency folders (`link`, `copy`, `none`; `linkDependencies:
   * false` means `none`), setup and teardown commands, a port range per slot.
   */
  provision?: ProvisionSettings;
}
