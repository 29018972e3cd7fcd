import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { listProjectCheckpoints, pruneProjectCheckpoints } from '../run/build-orchestrator';
import { resolveProjectDirectory } from '../run/project-directory';

/** `qoder-orchestrate checkpoints [list|prune] [--run <runId>]`, through git safety's library calls. */
export async function checkpointsCommand(action: 'list' | 'prune', runId: string | undefined, options: CommonOptions, io: CliIo): Promise<ExitCode> {
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
  const count = await pruneProjectCheckpoints(scope);
  if (options.isJson) io.stdout.write(`${JSON.stringify({ pruned: count })}\n`);
  else io.stdout.write(`Pruned ${count} ref${count === 1 ? '' : 's'} (checkpoints, leftovers and merge records)${runId ? ` of run ${runId}` : ''}.\n`);
  return EXIT_CODES.met;
}
