import { runCli } from './cli/run-cli';

// Ctrl-C (or SIGTERM) once: stop cleanly (agents stopped, state written, resume hint printed).
// A second time: leave at once.
const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the agents and saving the run… (press Ctrl-C again to quit at once)\n`);
  controller.abort(new Error(`cancelled by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  abortSignal: controller.signal,
});
process.exitCode = exitCode;
// Leave even if a stray handle (a stuck child's pipe, a timer) would keep the event loop alive.
setTimeout(() => process.exit(exitCode), 3000).unref();
