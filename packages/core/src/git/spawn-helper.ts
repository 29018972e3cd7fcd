import { type ChildProcess, spawn } from 'node:child_process';
import { OrchestratorError } from '@qoder-orch/spec';
import { z } from 'zod';
import { SPAWN_HELPER_SCRIPT } from './spawn-helper-script';

/** What a process started through a helper ended with. */
export interface HelperExit {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface HelperRequest {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  input?: string;
  abortSignal?: AbortSignal;
  /** What errors call the process (`git status`): never its arguments or environment. */
  label: string;
}

const HelperMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready') }),
  z.object({ t: z.literal('started'), id: z.number().int() }),
  z.object({ t: z.literal('exit'), id: z.number().int(), code: z.number().int().nullable(), signal: z.string().nullable(), out: z.string(), err: z.string() }),
  z.object({ t: z.literal('fail'), id: z.number().int(), code: z.string(), message: z.string() }),
]);

interface Pending {
  request: HelperRequest;
  resolve: (exit: HelperExit) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
  isStarted: boolean;
}

/** Thrown for requests whose process a helper never started before it went away: safe to run elsewhere. */
export class HelperUnavailableError extends Error {
  override readonly name = 'HelperUnavailableError';
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

let nextId = 1;
/** Node starts in well under a second; minutes of load can slow it, never this much. */
const READY_TIMEOUT_MS = 20_000;

/**
 * One spawn helper process: started at construction, `ready` once it said so, and `isDead`
 * once it exited. Requests made before it is ready wait. If it dies, requests whose process it
 * had not started fail with `HelperUnavailableError` (nothing ran: the caller runs them another
 * way) and those whose process it started fail with `GIT_ERROR` (the process may have done part
 * of its work). It keeps the event loop alive only while something runs through it.
 */
export class SpawnHelper {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: Array<{ id: number; entry: Pending }> = [];
  private isReady = false;
  isDead = false;
  private partial: Buffer[] = [];
  private readonly killAtExit = () => this.child.kill('SIGKILL');
  /** A helper that has not said it is ready by then is stopped: its requests run another way. */
  private readonly readyTimer: NodeJS.Timeout;

  constructor(private readonly onDeath: (helper: SpawnHelper, wasReady: boolean) => void) {
    // A small heap and no inherited options or secrets: its environment is PATH alone (each request brings its own).
    this.child = spawn(process.execPath, ['--max-old-space-size=64', '-e', SPAWN_HELPER_SCRIPT], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { PATH: process.env.PATH ?? '' },
      windowsHide: true,
    });
    this.child.unref();
    this.setReferenced(false);
    this.child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stdin?.on('error', () => undefined);
    this.child.once('error', () => this.die('could not start'));
    this.child.once('exit', (code, signal) => this.die(signal === null ? `exited with code ${code ?? 'unknown'}` : `was killed (${signal})`));
    process.once('exit', this.killAtExit);
    this.readyTimer = setTimeout(() => this.stop(), READY_TIMEOUT_MS);
    this.readyTimer.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Requests running or waiting in this helper. */
  get load(): number {
    return this.pending.size;
  }

  run(request: HelperRequest): Promise<HelperExit> {
    return new Promise((resolve, reject) => {
      if (this.isDead) {
        reject(new HelperUnavailableError('the git spawn helper is not running'));
        return;
      }
      if (request.abortSignal?.aborted) {
        reject(abortError());
        return;
      }
      const id = nextId++;
      const entry: Pending = { request, resolve, reject, isStarted: false };
      if (request.abortSignal !== undefined) {
        entry.onAbort = () => {
          if (!this.pending.delete(id)) return;
          this.write({ t: 'kill', id });
          this.afterSettle();
          reject(abortError());
        };
        request.abortSignal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.pending.set(id, entry);
      this.setReferenced(true);
      if (this.isReady) this.send(id, entry);
      else this.waiting.push({ id, entry });
    });
  }

  /** Ends the helper (its running processes go on to their end; their requests fail). */
  stop(): void {
    this.child.kill('SIGKILL');
  }

  private send(id: number, entry: Pending): void {
    const { file, args, cwd, env, input } = entry.request;
    this.write({ t: 'run', id, file, args, cwd, env, ...(input === undefined ? {} : { input }) });
  }

  private write(message: object): void {
    if (this.isDead) return;
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      const line = this.partial.length === 0 ? piece : Buffer.concat([...this.partial, piece]);
      this.partial = [];
      this.handle(line.toString('utf8'));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  private handle(line: string): void {
    let parsed: z.infer<typeof HelperMessageSchema>;
    try {
      parsed = HelperMessageSchema.parse(JSON.parse(line));
    } catch {
      this.stop();
      return;
    }
    if (parsed.t === 'ready') {
      this.isReady = true;
      clearTimeout(this.readyTimer);
      for (const { id, entry } of this.waiting.splice(0)) if (this.pending.has(id)) this.send(id, entry);
      return;
    }
    const entry = this.pending.get(parsed.id);
    if (entry === undefined) return;
    if (parsed.t === 'started') {
      entry.isStarted = true;
      return;
    }
    this.pending.delete(parsed.id);
    if (entry.onAbort !== undefined) entry.request.abortSignal?.removeEventListener('abort', entry.onAbort);
    this.afterSettle();
    if (parsed.t === 'exit') {
      entry.resolve({ exitCode: parsed.code, signal: parsed.signal, stdout: Buffer.from(parsed.out, 'base64'), stderr: Buffer.from(parsed.err, 'base64') });
    } else {
      entry.reject(Object.assign(new Error(parsed.message), { code: parsed.code }));
    }
  }

  private afterSettle(): void {
    if (this.pending.size === 0) this.setReferenced(false);
  }

  private setReferenced(isReferenced: boolean): void {
    for (const stream of [this.child.stdin, this.child.stdout]) {
      const socket = stream as unknown as { ref?: () => void; unref?: () => void } | null;
      if (isReferenced) socket?.ref?.();
      else socket?.unref?.();
    }
  }

  private die(how: string): void {
    if (this.isDead) return;
    this.isDead = true;
    clearTimeout(this.readyTimer);
    process.removeListener('exit', this.killAtExit);
    const wasReady = this.isReady;
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      if (entry.onAbort !== undefined) entry.request.abortSignal?.removeEventListener('abort', entry.onAbort);
      const { label } = entry.request;
      if (!entry.isStarted) {
        entry.reject(new HelperUnavailableError(`the git spawn helper ${how} before it started ${label}`));
      } else {
        entry.reject(
          new OrchestratorError({
            code: 'GIT_ERROR',
            message: `the git spawn helper ${how} while ${label} was running in ${entry.request.cwd}; its outcome is unknown (set QODER_ORCH_GIT_SPAWN=direct to start git directly)`,
            isRetryable: true,
          }),
        );
      }
    }
    this.waiting.length = 0;
    this.setReferenced(false);
    this.onDeath(this, wasReady);
  }
}
