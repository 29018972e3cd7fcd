/**
 * The source of the spawn helper: a small Node process (`process.execPath -e <this>`) that
 * starts git processes for the git layer, so that the `fork` behind every spawn copies the
 * helper's few megabytes of page tables instead of the orchestrator's, and happens off the
 * orchestrator's main thread.
 *
 * Protocol, JSON lines both ways (one object per line, UTF-8):
 * - in:  `{"t":"run","id":1,"file":"git","args":[...],"cwd":"...","env":{...},"input":"..."?}`
 *        `{"t":"kill","id":1}` — ends that process (SIGTERM), if it still runs.
 * - out: `{"t":"ready"}` once, first;
 *        `{"t":"started","id":1}` once the process runs (a request without it never started);
 *        `{"t":"exit","id":1,"code":0,"signal":null,"out":"<base64>","err":"<base64>"}`;
 *        `{"t":"fail","id":1,"code":"ENOENT","message":"spawn git ENOENT"}` when it never started.
 *
 * Argument vectors only, never a shell (`shell: false` is spawn's default and nothing sets it).
 * The helper exits when its standard input ends (the parent went away) once its running
 * processes have ended; it prints nothing else and reads nothing but its standard input. Its
 * messages never carry the environment it was given.
 */
export const SPAWN_HELPER_SCRIPT = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const running = new Map();
let ended = false;
function send(message) { process.stdout.write(JSON.stringify(message) + '\n'); }
function maybeExit() { if (ended && running.size === 0) process.exit(0); }
function run(request) {
  let child;
  try {
    child = spawn(request.file, request.args, {
      cwd: request.cwd,
      env: request.env,
      stdio: [typeof request.input === 'string' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    send({ t: 'fail', id: request.id, code: String(error && error.code || 'ESPAWN'), message: String(error && error.message || error) });
    return;
  }
  const out = [];
  const err = [];
  let failed = false;
  running.set(request.id, child);
  if (child.pid !== undefined) send({ t: 'started', id: request.id });
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stderr.on('data', (chunk) => err.push(chunk));
  child.once('error', (error) => {
    if (child.pid !== undefined) return;
    failed = true;
    running.delete(request.id);
    send({ t: 'fail', id: request.id, code: String(error && error.code || 'ESPAWN'), message: String(error && error.message || error) });
    maybeExit();
  });
  if (typeof request.input === 'string' && child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.input);
  }
  child.once('close', (code, signal) => {
    if (failed) return;
    running.delete(request.id);
    send({ t: 'exit', id: request.id, code, signal, out: Buffer.concat(out).toString('base64'), err: Buffer.concat(err).toString('base64') });
    maybeExit();
  });
}
function handle(line) {
  if (line.length === 0) return;
  const message = JSON.parse(line);
  if (message.t === 'run') run(message);
  else if (message.t === 'kill') { const child = running.get(message.id); if (child) child.kill('SIGTERM'); }
}
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let start = 0;
  let newline = pending.indexOf('\n');
  while (newline !== -1) {
    handle(pending.slice(start, newline));
    start = newline + 1;
    newline = pending.indexOf('\n', start);
  }
  pending = pending.slice(start);
});
process.stdin.on('end', () => { ended = true; maybeExit(); });
process.stdout.on('error', () => process.exit(0));
send({ t: 'ready' });
`;
