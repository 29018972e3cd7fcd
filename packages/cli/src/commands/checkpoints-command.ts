import { listTaskWorktrees, provisionSettingsOf, pruneTaskWorktrees } from '@qoder-orch/core';
import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { listProjectCheckpoints, loadCliConfig, pruneProjectCheckpoints } from '../run/build-orchestrator';
import { resolveProjectDirectory } from '../run/project-directory';

/** `qoder-orchestrate checkpoints [list|prune|worktrees] [--run <runId>]`, through git safety's library calls. */
export async function checkpointsCommand(action: 'list' | 'prune' | 'worktrees', runId: string | undefined, options: CommonOptions, io: CliIo): Promise<ExitCode> {
  const projectDir = await resolveProjectDirectory(options.projectDir, io.cwd ?? process.cwd());
  const scope = { projectDir, ...(runId === undefined ? {} : { runId }) };
  if (action === 'list') {
    const checkpoints = await listProjectCheckpoints(scope);
    if (options.isJson) {
      for (const checkpoint of checkpoints) io.stdout.write(`${JSON.stringify(checkpoint)}\n`);
    } else if (checkpoints.length === 0) {
      io.stdout.write(`No checkpoints${runId ? ` for run ${runId}` : ''} in ${projectDir}.\n`);
    } else {
      for (const checkpoint of checkpoints) {
        io.stdout.write(`${checkpoint.runId}  ${checkpoint.taskId}  ${checkpoint.commit.slice(0, 12)}  ${checkpoint.createdAt ?? ''}${checkpoint.isFailedRun ? '  (failed run: kept by prune)' : ''}\n`);
      }
    }
    return EXIT_CODES.met;
  }
  // Worktrees live where the configuration says (execution.worktree_root, QODER_ORCH_WORKTREE_ROOT).
  const { config } = await loadCliConfig({ projectDir, ...(options.configPath === undefined ? {} : { configPath: options.configPath }), env: io.env ?? process.env, overrides: options.overrides });
  const worktreeScope = { ...scope, ...(config.execution.worktreeRoot === undefined ? {} : { worktreeRoot: config.execution.worktreeRoot }) };
  if (action === 'worktrees') {
    const listed = await listTaskWorktrees({ ...worktreeScope, includeIdlePool: true });
    const worktrees = listed.filter((worktree) => worktree.runId !== '');
    const idlePool = listed.filter((worktree) => worktree.runId === '');
    if (options.isJson) {
      for (const worktree of worktrees) io.stdout.write(`${JSON.stringify(worktree)}\n`);
      return EXIT_CODES.met;
    }
    if (worktrees.length === 0) io.stdout.write(`No task worktrees${runId ? ` for run ${runId}` : ''} of ${projectDir}.\n`);
    for (const worktree of worktrees) {
      io.stdout.write(`${worktree.runId}  ${worktree.taskId}  ${worktree.path}${worktree.isLocked ? '  (locked)' : ''}${worktree.isPrunable ? '  (folder gone)' : ''}\n`);
    }
    if (idlePool.length > 0) {
      io.stdout.write(`Idle worktree pool (reused by the next tasks; \`checkpoints prune\` without --run removes it): ${idlePool.map((worktree) => worktree.path).join(', ')}\n`);
    }
    return EXIT_CODES.met;
  }
  // Worktrees first: the work found in them goes to leftover refs, which the ref pruning then judges like any other.
  // The configured teardown runs in each provisioned worktree removed (idle pool slots too), as in a run.
  const pruned = await pruneTaskWorktrees({ ...worktreeScope, provision: provisionSettingsOf(config), onWarning: (warning) => io.stderr.write(`Warning (${warning.code}): ${warning.message}\n`) });
  const count = await pruneProjectCheckpoints(scope);
  if (options.isJson) {
    io.stdout.write(`${JSON.stringify({ pruned: count, removedWorktrees: pruned.removed.map((worktree) => worktree.path), ...(pruned.activeRunId === undefined ? {} : { activeRunId: pruned.activeRunId }) })}\n`);
    return EXIT_CODES.met;
  }
  if (pruned.removed.length > 0) io.stdout.write(`Removed ${pruned.removed.length} task worktree${pruned.removed.length === 1 ? '' : 's'}${runId ? ` of run ${runId}` : ''}: ${pruned.removed.map((worktree) => worktree.path).join(', ')}.\n`);
  if (pruned.activeRunId !== undefined) io.stdout.write(`Left the worktrees of run ${pruned.activeRunId} alone: it is in progress.\n`);
  io.stdout.write(`Pruned ${count} ref${count === 1 ? '' : 's'} (checkpoints, leftovers and merge records)${runId ? ` of run ${runId}` : ''}.\n`);
  return EXIT_CODES.met;
}
