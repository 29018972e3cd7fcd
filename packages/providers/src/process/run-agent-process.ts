import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { RUN_TAG_VARIABLE, killProcessTree } from './kill-process-tree';
import { OutputTail } from './output-tail';

export interface RunAgentProcessOptions {
  executable: string;
  /** The argument vector; never joined into a shell string. */
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child (nothing else is inherited). */
  env: Readonly<Record<string, string>>;
  /**
   * Written to stdin, which is then closed. Without it stdin is `/dev/null`. A promise: a warm
   * start. The process starts now and waits on its stdin for what the promise gives; the
   * timeout and the stall timer start once it is written. `undefined` ends it unused (canceled).
   */
  input?: string | Promise<string | undefined> | undefined;
  /** Kill the whole process tree when it runs longer than this. */
  timeoutMs?: number | undefined;
  /** Kill the whole process tree when it prints nothing (stdout or stderr) for this long. */
  stallTimeoutMs?: number | undefined;
  /**
   * Asked when the stall timer fires: while it returns true (e.g. a tool command is running and
   * the CLI is silent by design) the process is left alone and the timer starts again. The outer
   * timeout still applies.
   */
  isBusy?: (() => boolean) | undefined;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  abortSignal?: AbortSignal | undefined;
  /** Every complete stdout line, as it arrives. */
  onStdoutLine?: ((line: string) => void) | undefined;
  /** How much of stdout+stderr to keep for error reports. @default 16000 */
  tailChars?: number | undefined;
}

export interface AgentProcessResult {
  exitCode: number | undefined;
  signal: string | undefined;
  /** The outer timeout ended it. */
  isTimedOut: boolean;
  /** No output for `stallTimeoutMs` ended it. */
  isStalled: boolean;
  /** The abort signal ended it. */
  isCanceled: boolean;
  /** It could not be started (`ENOENT`: not installed; `ENOCWD`: the working directory does not exist). */
  spawnErrorCode: string | undefined;
  spawnErrorMessage: string | undefined;
  pid: number | undefined;
  /** All of stdout (lines were also streamed to `onStdoutLine`). */
  stdout: string;
  /** The last part of stderr. */
  stderrTail: string;
  /** The last part of stdout and stderr interleaved, unredacted (redact before showing). */
  outputTail: string;
  durationMs: number;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const liveRuns = new Map<string, number | undefined>();
let isExitHookInstalled = false;

/** Our children run in their own process groups, so they would survive us: kill them when we exit. */
function installExitHook(): void {
  if (isExitHookInstalled) return;
  isExitHookInstalled = true;
  process.once('exit', () => {
    for (const [tag, pid] of liveRuns) killProcessTree(pid, tag, 'SIGKILL');
  });
}

/**
 * Runs an agent CLI as a child process in its own process group, tagged with a unique
 * environment variable, streams its stdout line by line, and ends the whole tree (SIGTERM, then
 * SIGKILL after the grace period) on our outer timeout, on an output stall, or on abort. When
 * the CLI itself exits, whatever it left running is killed too, so no orphan outlives a run.
 * Never rejects: the result says how it ended.
 */
export async function runAgentProcess(options: RunAgentProcessOptions): Promise<AgentProcessResult> {
  let started = Date.now();
  const tail = new OutputTail(options.tailChars ?? 16_000);
  const stderrTail = new OutputTail(8_000);
  const stdoutChunks: string[] = [];
  let endReason: 'timeout' | 'stall' | 'abort' | undefined;

  const notStarted = {
    exitCode: undefined,
    signal: undefined,
    isTimedOut: false,
    isStalled: false,
    pid: undefined,
    stdout: '',
    stderrTail: '',
    outputTail: '',
    durationMs: 0,
  };
  if (!isDirectory(options.cwd)) {
    // Spawning in a missing directory fails with ENOENT too, which would read as "not installed".
    return { ...notStarted, isCanceled: false, spawnErrorCode: 'ENOCWD', spawnErrorMessage: `the working directory ${options.cwd} does not exist` };
  }
  if (options.abortSignal?.aborted) return { ...notStarted, isCanceled: true, spawnErrorCode: undefined, spawnErrorMessage: undefined };

  installExitHook();
  const tag = randomUUID();
  // Loaded when the first process starts: about 0.2 s of module loading that the CLI's start need not wait for.
  const { execa } = await import('execa');
  const subprocess = execa(options.executable, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env, [RUN_TAG_VARIABLE]: tag },
    extendEnv: false,
    detached: process.platform !== 'win32',
    cleanup: false,
    reject: false,
    buffer: false,
    windowsHide: true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : typeof options.input === 'string' ? { input: options.input } : { stdin: 'pipe' as const }),
  });
  const pid = subprocess.pid;
  liveRuns.set(tag, pid);

  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (reason: 'timeout' | 'stall' | 'abort') => {
    if (endReason !== undefined || pid === undefined) return;
    endReason = reason;
    killProcessTree(pid, tag, 'SIGTERM');
    killTimer = setTimeout(() => killProcessTree(pid, tag, 'SIGKILL'), options.killGraceMs);
    killTimer.unref();
  };

  let timeoutTimer: NodeJS.Timeout | undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  // A warm start's clocks start when its input is written: waiting for it is neither a stall nor time spent.
  let isWaitingForInput = typeof options.input === 'object';
  const armStallTimer = () => {
    if (options.stallTimeoutMs === undefined || isWaitingForInput) return;
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = setTimeout(() => (options.isBusy?.() ? armStallTimer() : terminate('stall')), options.stallTimeoutMs);
  };
  const startClocks = () => {
    isWaitingForInput = false;
    started = Date.now();
    if (options.timeoutMs !== undefined) timeoutTimer = setTimeout(() => terminate('timeout'), options.timeoutMs);
    armStallTimer();
  };
  if (typeof options.input === 'object') {
    const stdin = subprocess.stdin;
    // A process that died while waiting closes its stdin: the write fails, the exit says how it ended.
    stdin?.on('error', () => undefined);
    options.input.then(
      (text) => {
        if (text === undefined) return terminate('abort');
        startClocks();
        stdin?.end(text);
      },
      () => terminate('abort'),
    );
  } else startClocks();
  const onAbort = () => terminate('abort');
  options.abortSignal?.addEventListener('abort', onAbort, { once: true });

  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emitLines = (text: string) => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (line.length > 0) {
        try {
          options.onStdoutLine?.(line);
        } catch {
          // A consumer's failure must not crash the run (this runs inside a stream handler).
        }
      }
      newline = pending.indexOf('\n');
    }
  };
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    armStallTimer();
    const text = decoder.write(chunk);
    stdoutChunks.push(text);
    tail.append(text);
    emitLines(text);
  });
  const stderrDecoder = new StringDecoder('utf8');
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    armStallTimer();
    const text = stderrDecoder.write(chunk);
    tail.append(text);
    stderrTail.append(text);
  });
  // When the CLI exits, whatever it left in its group (a background command of the Bash tool
  // holding our pipes open) goes too.
  let isLeftClean = false;
  subprocess.on('exit', () => {
    isLeftClean = !killProcessTree(pid, tag, 'SIGKILL').isAnythingLeft;
  });

  const result = await subprocess;
  const rest = decoder.end();
  if (rest) {
    stdoutChunks.push(rest);
    tail.append(rest);
  }
  emitLines(`${rest}\n`);

  if (timeoutTimer) clearTimeout(timeoutTimer);
  if (stallTimer) clearTimeout(stallTimer);
  if (killTimer) clearTimeout(killTimer);
  options.abortSignal?.removeEventListener('abort', onAbort);
  // Again for what a survivor may have started since the exit; when the exit found nothing of the
  // run left, nothing can have started since (each scan of /proc reads every process's environment).
  if (!isLeftClean) killProcessTree(pid, tag, 'SIGKILL');
  liveRuns.delete(tag);

  const spawnErrorCode = pid === undefined ? ((result as { code?: string }).code ?? 'ESPAWN') : undefined;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    isTimedOut: endReason === 'timeout',
    isStalled: endReason === 'stall',
    isCanceled: endReason === 'abort',
    spawnErrorCode,
    spawnErrorMessage: spawnErrorCode === undefined ? undefined : (result.shortMessage ?? result.message),
    pid,
    stdout: stdoutChunks.join(''),
    stderrTail: stderrTail.toString(),
    outputTail: tail.toString(),
    durationMs: Date.now() - started,
  };
}
