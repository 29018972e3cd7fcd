import { join } from 'node:path';
import { FileRunStore } from '@qoder-orch/core';
import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { resolveProjectDirectory } from '../run/project-directory';

export interface WorkerPruneCommand {
  /** The git remote the coordinator and workers share (a remote name or URL). */
  remote: string;
  /** Runs that started longer ago than this are over, whatever their journal says. */
  olderThanMs: number;
  options: CommonOptions;
}

/** Run statuses after which nothing resumes the run: its refs on the remote serve no one. */
const FINISHED = new Set(['met', 'not-met', 'failed']);

/**
 * `qoder-orchestrate worker prune`: deletes from the shared git remote what queued runs left
 * there — workers' result branches (`qoder-orch/<run>/<task>/<attempt>`) and published bases
 * (`refs/qoder-orch/base/<run>/…`), which a coordinator that was killed never deleted — for the
 * runs that are over: finished in this project's run journal, or started longer ago than
 * `--older-than` (from the journal, or the run id's time stamp for runs of other machines). An
 * interrupted or cancelled run that is younger keeps them: `--resume` collects its results.
 * One `git ls-remote` and one push; the local refs results were fetched to go too.
 */
export async function workerPruneCommand(command: WorkerPruneCommand, io: CliIo): Promise<ExitCode> {
  const projectDir = await resolveProjectDirectory(command.options.projectDir, io.cwd ?? process.cwd());
  const runs = new Map((await new FileRunStore({ directory: join(projectDir, '.qoder-orch', 'runs') }).listRuns()).map((run) => [run.runId, run]));
  // Loaded when asked for, as the worker command is.
  const { pruneRemoteRefs, runStartedAt } = await import('@qoder-orch/distributed');
  const now = Date.now();
  const isPrunable = (runId: string): boolean => {
    const run = runs.get(runId);
    if (run && FINISHED.has(run.status)) return true;
    const startedAt = run ? Date.parse(run.startedAt) : runStartedAt(runId)?.getTime();
    return startedAt !== undefined && Number.isFinite(startedAt) && now - startedAt > command.olderThanMs;
  };
  const pruned = await pruneRemoteRefs({ cwd: projectDir, remote: command.remote, isPrunable, ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}) });
  if (command.options.isJson) io.stdout.write(`${JSON.stringify({ type: 'pruned', remote: command.remote, ...pruned })}\n`);
  else {
    io.stdout.write(`Deleted ${pruned.deleted.length} ref(s) of runs that are over from ${command.remote}${pruned.deletedLocal.length > 0 ? ` (and ${pruned.deletedLocal.length} local fetched result ref(s))` : ''}.\n`);
    if (pruned.keptRuns.length > 0) io.stdout.write(`Kept the refs of ${pruned.keptRuns.length} run(s) that may still be running or resumed: ${pruned.keptRuns.join(', ')}.\n`);
  }
  return EXIT_CODES.met;
}
