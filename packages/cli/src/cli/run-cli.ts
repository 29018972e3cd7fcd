import { parseArguments } from '../args/parse-arguments';
import { HELP_TEXT } from '../args/help-text';
import { checkpointsCommand } from '../commands/checkpoints-command';
import { initCommand } from '../commands/init-command';
import { listRunsCommand } from '../commands/runs-command';
import { createStyle, isColorWanted } from '../render/terminal-style';
import { exitCodeOfError } from '../run/exit-code-of';
import { executeRun, type RunDependencies } from '../run/run-command';
import type { CliIo } from './cli-io';
import { EXIT_CODES, type ExitCode } from './exit-codes';
import { printError } from './print-error';
import { CLI_VERSION } from './version';

/**
 * Runs `qoder-orchestrate` with `argv` (without `node` and the script) and returns the exit
 * code. Never throws and never calls `process.exit`, so tests and programs can drive it
 * in-process with their own stdout, stderr and environment.
 */
export async function runCli(argv: readonly string[], io: CliIo, dependencies: RunDependencies = {}): Promise<ExitCode> {
  const env = io.env ?? process.env;
  let command;
  try {
    command = parseArguments(argv);
  } catch (error) {
    const style = createStyle(isColorWanted({ output: io.stderr, env, isColorAllowed: !argv.includes('--no-color'), isJson: false }));
    printError(io.stderr, error, style);
    return EXIT_CODES.invalidInput;
  }
  try {
    switch (command.kind) {
      case 'help':
        io.stdout.write(HELP_TEXT);
        return EXIT_CODES.met;
      case 'version':
        io.stdout.write(`${CLI_VERSION}\n`);
        return EXIT_CODES.met;
      case 'run':
        if (command.isValidateOnly) return await executeRun({ kind: 'validate' }, command.options, io, dependencies);
        if (command.isPlanOnly) return await executeRun({ kind: 'plan', objective: command.objective }, command.options, io, dependencies);
        return await executeRun({ kind: 'run', objective: command.objective }, command.options, io, dependencies);
      case 'resume':
        return await executeRun({ kind: 'resume', ...(command.runId === undefined ? {} : { runId: command.runId }) }, command.options, io, dependencies);
      case 'demo': {
        // Loaded when asked for: the demo's fake model server is no start-up cost of a real run.
        const { demoCommand } = await import('../commands/demo-command');
        return await demoCommand(command.options, io);
      }
      case 'runs':
        return await listRunsCommand(command.options, io);
      case 'checkpoints':
        return await checkpointsCommand(command.action, command.runId, command.options, io);
      case 'init':
        return await initCommand({ ...command.options, isForced: command.isForced }, io);
      case 'worker-prune': {
        const { workerPruneCommand } = await import('../commands/worker-prune-command');
        return await workerPruneCommand(command, io);
      }
      case 'worker': {
        // Loaded when asked for: the queue client (BullMQ, ioredis) is no start-up cost of every other command.
        const { workerCommand } = await import('../commands/worker-command');
        return await workerCommand(
          { redis: command.redis, workdir: command.workdir, concurrency: command.concurrency, ...(command.queue ? { queue: command.queue } : {}), ...(command.provider ? { provider: command.provider } : {}), isJson: command.options.isJson },
          io,
        );
      }
    }
  } catch (error) {
    const style = createStyle(isColorWanted({ output: io.stderr, env, isColorAllowed: command.kind === 'help' || command.kind === 'version' ? true : command.options.isColorAllowed, isJson: false }));
    printError(io.stderr, error, style);
    return exitCodeOfError(error);
  }
}
