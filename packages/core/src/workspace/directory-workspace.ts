import type { TaskWorkspace } from '../git/task-workspace';

/**
 * A workspace without git: every task works in the project directory itself, with no
 * checkpoints, no isolation and no commits. For unit tests and for folders that are not
 * repositories; it cannot roll anything back, so the orchestrator never offers to.
 */
export function createDirectoryWorkspace(options: { projectDir: string }): TaskWorkspace {
  return {
    kind: 'directory',
    isIsolated: false,
    async begin() {
      return { warnings: ['The project is not a git repository: no checkpoints, rollback or isolation.'] };
    },
    async recover() {},
    async prepare(task) {
      return { taskId: task.id, cwd: options.projectDir };
    },
    async complete() {
      return { filesChanged: [] };
    },
    async discard() {},
    async changedFiles() {
      return [];
    },
    async end() {},
  };
}
