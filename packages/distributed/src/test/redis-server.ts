import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real `redis-server` on a free loopback port, in a temporary folder, for tests. */
export interface TestRedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

/** Why Redis tests cannot run here, or undefined when `redis-server` is on the PATH. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0 ? 'redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)' : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function ping(host: string, port: number): Promise<boolean> {
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (isUp: boolean) => {
      socket.destroy();
      resolve(isUp);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `redis-server --port N (a free one unless given) --bind 127.0.0.1 --save '' --appendonly no --dir <tmp>` and
 * waits until it answers PING (at most `timeoutMs`).
 */
export async function startRedisServer({ timeoutMs = 10_000, port: fixedPort }: { timeoutMs?: number; port?: number } = {}): Promise<TestRedisServer> {
  const host = '127.0.0.1';
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-redis-'));
  // A fixed port brings a stopped server back where its clients look for it (empty: nothing is saved).
  const port = fixedPort ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(host, port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on ${host}:${port}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host, port, url: `redis://${host}:${port}`, stop };
}

/** One test file's Redis and what it cleans up; `setUp` goes in `beforeAll`, `tearDown` in `afterAll`. */
export interface RedisTestSuite {
  /** Why the file's tests skip (`redis-server` not installed), or `undefined`. */
  missing: string | undefined;
  /** Run by `tearDown`, last added first, a failure ignored; the server's stop is the first added. */
  cleanups: Array<() => unknown>;
  /** The started server's URL. */
  readonly url: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

/** A Redis for one test file, with its clean-ups; warns once, naming `label`, when the file's tests skip. */
export function redisTestSuite(label: string): RedisTestSuite {
  const missing = redisServerMissing();
  if (missing) console.warn(`skipping ${label}: ${missing}`);
  const cleanups: Array<() => unknown> = [];
  let server: TestRedisServer | undefined;
  return {
    missing,
    cleanups,
    get url() {
      if (!server) throw new Error('the test Redis was not started (setUp in beforeAll)');
      return server.url;
    },
    async setUp() {
      if (missing) return;
      const started = await startRedisServer();
      server = started;
      cleanups.push(() => started.stop());
    },
    async tearDown() {
      for (const cleanup of cleanups.reverse())
        await Promise.resolve()
          .then(cleanup)
          .catch(() => undefined);
    },
  };
}
