import { join } from 'node:path';
import { FileRunStore } from '@qoder-orch/core';
import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { oneLine, padEnd } from '../render/format';
import { resolveProjectDirectory } from '../run/project-directory';
import { styleFor } from '../run/run-command';

/** `qoder-orchestrate runs`: the runs kept in `.qoder-orch/runs`, newest first. */
export async function listRunsCommand(options: CommonOptions, io: CliIo): Promise<ExitCode> {
  const projectDir = await resolveProjectDirectory(options.projectDir, io.cwd ?? process.cwd());
  const directory = join(projectDir, '.qoder-orch', 'runs');
  const runs = await new FileRunStore({ directory }).listRuns();
  if (options.isJson) {
    for (const run of runs) io.stdout.write(`${JSON.stringify(run)}\n`);
    return EXIT_CODES.met;
  }
  const style = styleFor(io, options);
  if (runs.length === 0) {
    io.stdout.write(`No runs in ${directory}.\n`);
    return EXIT_CODES.met;
  }
  io.stdout.write(style.dim(`${padEnd('Run', 22)}  ${padEnd('Status', 11)}  ${padEnd('Started', 20)}  Objective\n`));
  for (const run of runs) {
    const word = run.status === 'running' ? 'interrupted' : run.status;
    const status = run.status === 'met' ? style.green(padEnd(word, 11)) : run.status === 'running' || run.status === 'cancelled' ? style.yellow(padEnd(word, 11)) : padEnd(word, 11);
    io.stdout.write(`${padEnd(run.runId, 22)}  ${status}  ${padEnd(run.startedAt.slice(0, 19).replace('T', ' '), 20)}  ${oneLine(run.objective, 70)}\n`);
  }
  if (runs.some((run) => run.status === 'running' || run.status === 'cancelled')) io.stdout.write(style.dim('\nResume an interrupted run with: qoder-orchestrate --resume <runId>\n'));
  return EXIT_CODES.met;
}
