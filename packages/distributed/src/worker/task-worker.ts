import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { headCommit } from '@qoder-orch/core';
import { type AgentEvent, type LLMProviderV1, OrchestratorError, ProviderError, redactJson, redactOutput, secretValuesFrom, serializeError } from '@qoder-orch/spec';
import { type Job, Worker } from 'bullmq';
import { EventEmitter } from 'eventemitter3';
import { Redis } from 'ioredis';
import { type RedisConnection, redisOptionsOf } from '../connection/redis-connection';
import { runGit } from '../git/run-git';
import { cancelChannelOf, DEFAULT_QUEUE, jobIdOf, type TaskJob, type TaskJobResult, TaskJobSchema } from '../job/task-job';
import { holdJobLock } from './job-lease';
import { type MirrorWorktree, RepositoryMirrors } from './repository-mirror';
import { Slots } from '../util/slots';

/** The providers a worker runs agents with: by name, or made on demand from the job's provider name. */
export type WorkerProviders = Readonly<Record<string, LLMProviderV1>> | ((name: string) => Promise<LLMProviderV1>);

export interface TaskWorkerOptions {
  connection: RedisConnection;
  /** @default 'qoder-orch-tasks' */
  queue?: string;
  /** Where the worker keeps its repository mirrors and task worktrees. */
  workdir: string;
  /**
   * Agents run at once. An attempt whose agent has stopped gives its agent slot to the next
   * attempt while its own commit and push finish (at most this many finish at once too).
   * @default 1
   */
  concurrency?: number;
  providers: WorkerProviders;
  /** Named in results and events. @default `<hostname>:<pid>` */
  name?: string;
  /** How long a job's lock lasts without renewal (renewed at half of it while the agent works). @default 30000 */
  lockDurationMs?: number;
  /** How often stalled jobs (their worker died) are looked for and put back. @default 15000 */
  stalledIntervalMs?: number;
  /** How often a job may stall before it fails for good. @default 2 */
  maxStalledCount?: number;
  /** Values kept out of everything sent back. @default the worker's environment's secrets */
  secretValues?: readonly string[];
}

export interface TaskWorkerEvents {
  'job-start': [{ jobId: string; taskId: string; cwd: string }];
  'job-end': [{ jobId: string; taskId: string; isOk: boolean; code?: string; commit?: string }];
  /** A queue or connection problem the worker goes on through. */
  error: [{ message: string }];
}

const EVENT_FLUSH_MS = 100;
/** After the queue failed to answer a request for a job: the wait before the next request (Redis may be restarting). */
const RETRY_TAKE_MS = 1000;

/**
 * Takes task attempts from the queue and runs them: a worktree of its mirror of the repository
 * at the attempt's base commit, the agent through the named provider (credentials from this
 * machine's environment), a commit of what it changed, and a push of the attempt's branch. The
 * agent's events stream back as job progress. Failures, a failed push included, are results
 * with an error code; the job's lock is renewed while the attempt runs, so a worker that dies
 * loses its lock and the attempt is put back for another.
 *
 * Jobs are taken by hand (BullMQ's `getNextJob`), one agent slot at a time: when an agent stops,
 * the next job is taken and its agent starts while the finished attempt commits and pushes, so
 * a worker's agents are not idle for the length of a push.
 */
export class TaskWorker extends EventEmitter<TaskWorkerEvents> {
  readonly name: string;
  readonly #options: TaskWorkerOptions;
  readonly #mirrors: RepositoryMirrors;
  readonly #secrets: readonly string[];
  readonly #providers = new Map<string, Promise<LLMProviderV1>>();
  readonly #worker: Worker;
  /** Listens for the coordinators' cancellations of attempts this worker runs. */
  readonly #cancellations: Redis;
  /** Agents running; attempts committing and pushing. */
  readonly #agents: Slots;
  readonly #finishing: Slots;
  /** The attempts under way (taken, not yet answered), each with its cancellation. */
  readonly #running = new Map<string, { done: Promise<void>; abort: AbortController }>();
  readonly #lockDurationMs: number;
  #isClosing = false;
  #taking: Promise<void> | undefined;
  /** Wakes the wait after a failed take when the worker closes. */
  readonly #closed = new AbortController();

  constructor(options: TaskWorkerOptions) {
    super();
    this.#options = options;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.#mirrors = new RepositoryMirrors(options.workdir);
    this.#secrets = options.secretValues ?? secretValuesFrom(process.env);
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.#agents = new Slots(concurrency);
    this.#finishing = new Slots(concurrency);
    this.#lockDurationMs = options.lockDurationMs ?? 30_000;
    // No processor: jobs are taken by hand (see #take); BullMQ still checks for stalled jobs.
    this.#worker = new Worker(options.queue ?? DEFAULT_QUEUE, null, {
      connection: redisOptionsOf(options.connection),
      lockDuration: this.#lockDurationMs,
      stalledInterval: options.stalledIntervalMs ?? 15_000,
      maxStalledCount: options.maxStalledCount ?? 2,
      autorun: false,
    });
    this.#worker.on('error', (error) => this.#reportError(error.message));
    this.#cancellations = new Redis({ ...redisOptionsOf(options.connection), lazyConnect: true });
    this.#cancellations.on('error', () => undefined);
    // The attempt's abort signal reaches the agent, which stops; the attempt ends as ABORTED.
    this.#cancellations.on('message', (_channel: string, jobId: string) => this.#running.get(jobId)?.abort.abort(new Error('cancelled by the coordinator')));
  }

  /** Starts taking jobs; resolves when the worker is connected. */
  async start(): Promise<void> {
    await this.#cancellations.subscribe(cancelChannelOf(this.#options.queue ?? DEFAULT_QUEUE));
    await this.#worker.waitUntilReady();
    await this.#worker.startStalledCheckTimer();
    this.#taking = this.#take();
  }

  /**
   * Stops taking jobs; waits for the attempts under way (their agents, commits and pushes) unless
   * `force`, whose attempts are left to their locks: they expire and the attempts go back on the
   * queue for another worker.
   */
  async close(force = false): Promise<void> {
    this.#isClosing = true;
    this.#closed.abort();
    if (!force) while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()].map((attempt) => attempt.done));
    // Ends a wait for the next job too.
    await this.#worker.close(force);
    if (!force) await this.#taking;
    this.#cancellations.disconnect();
    if (!force) await this.#mirrors.clear();
  }

  /** Takes a job whenever an agent slot is free, until the worker closes. */
  async #take(): Promise<void> {
    for (let sequence = 1; !this.#isClosing; sequence += 1) {
      await this.#agents.acquire();
      if (this.#isClosing) {
        this.#agents.release();
        return;
      }
      const token = `${this.#worker.id}:${sequence}`;
      let job: Job | undefined;
      try {
        job = await this.#worker.getNextJob(token, { block: true });
      } catch (error) {
        this.#agents.release();
        if (this.#isClosing) return;
        this.#reportError(`Could not take a job: ${error instanceof Error ? error.message : String(error)}`);
        await delay(RETRY_TAKE_MS, undefined, { signal: this.#closed.signal }).catch(() => undefined);
        continue;
      }
      if (!job?.id) {
        this.#agents.release();
        continue;
      }
      if (this.#isClosing) {
        // Taken while the worker was closing: given back at once rather than left to its lock.
        await job.moveToWait(token).catch(() => undefined);
        this.#agents.release();
        return;
      }
      this.#attempt(job, job.id, token);
    }
  }

  /** Runs a job taken with `token` to its answer: the agent in an agent slot, then its commit and push in a finishing slot. */
  #attempt(job: Job, jobId: string, token: string): void {
    const abort = new AbortController();
    const lock = holdJobLock(job, token, this.#lockDurationMs, (message) => this.#reportError(message));
    let slot: 'agent' | 'finishing' | 'none' = 'agent';
    const releaseSlot = () => {
      if (slot === 'agent') this.#agents.release();
      if (slot === 'finishing') this.#finishing.release();
      slot = 'none';
    };
    const onAgentStopped = async () => {
      await this.#finishing.acquire();
      this.#agents.release();
      slot = 'finishing';
    };
    const done = (async () => {
      try {
        let result: TaskJobResult;
        try {
          result = await this.#process(job, abort.signal, onAgentStopped);
        } catch (error) {
          await job.moveToFailed(error instanceof Error ? error : new Error(String(error)), token, false);
          return;
        }
        await job.moveToCompleted(result, token, false);
      } catch (error) {
        // The answer did not reach the queue (the lock was lost, or Redis went away): the attempt runs again elsewhere.
        if (!this.#isClosing) this.#reportError(`Could not answer job ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        lock.stop();
        this.#running.delete(jobId);
        releaseSlot();
      }
    })();
    this.#running.set(jobId, { done, abort });
  }

  #reportError(message: string): void {
    this.emit('error', { message: redactOutput(message, this.#secrets) });
  }

  async #process(job: Job, signal: AbortSignal, onAgentStopped: () => Promise<void>): Promise<TaskJobResult> {
    const data = TaskJobSchema.parse(job.data);
    const jobId = jobIdOf(data);
    const failed = (code: string, message: string, isRetryable: boolean, spent: Partial<Pick<TaskJobResult & { isOk: false }, 'usage' | 'costUsd'>> = {}): TaskJobResult => {
      this.emit('job-end', { jobId, taskId: data.taskId, isOk: false, code });
      return { isOk: false, code, message: redactOutput(message, this.#secrets), isRetryable, worker: this.name, ...spent };
    };
    let worktree: MirrorWorktree;
    try {
      const mirror = await this.#mirrors.mirrorOf(data.repositoryUrl);
      await this.#mirrors.fetch(mirror, data.repositoryUrl, data.baseRef, data.baseCommit, signal);
      worktree = await this.#mirrors.worktree(mirror, data.baseCommit);
    } catch (error) {
      return failed('GIT_ERROR', `Could not check out the base: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    const cwd = worktree.directory;
    this.emit('job-start', { jobId, taskId: data.taskId, cwd });
    const relay = this.#relay(job);
    try {
      let provider: LLMProviderV1;
      try {
        provider = await this.#provider(data.providerName);
      } catch (error) {
        return failed('NOT_INSTALLED', `No provider ${data.providerName} on this worker: ${error instanceof Error ? error.message : String(error)}`, false);
      }
      const startedAt = Date.now();
      let output: Awaited<ReturnType<LLMProviderV1['doRunTask']>>;
      try {
        output = await provider.doRunTask({ ...agentSettings(data), taskId: data.taskId, runId: data.runId, attempt: data.attempt, prompt: data.prompt, cwd, abortSignal: signal, onEvent: relay.push });
      } catch (error) {
        const serialized = serializeError(error);
        const spent = ProviderError.isInstance(error) ? { ...(error.usage ? { usage: error.usage } : {}), ...(error.costUsd === undefined ? {} : { costUsd: error.costUsd }) } : {};
        return failed(serialized.code, serialized.message, OrchestratorError.isInstance(error) && error.isRetryable, spent);
      }
      // The next attempt's agent may start now, while this one commits and pushes.
      await onAgentStopped();
      // The last events go out while the commit is made and pushed; they reach the coordinator before the result does.
      const flushed = relay.flush();
      const commit = await this.#commit(cwd, data);
      const push = () => runGit(['push', '--no-verify', '--quiet', data.repositoryUrl, `+${commit}:refs/heads/${data.branch}`], { cwd, isTolerant: true });
      let pushed = await push();
      // Another push made the branch meanwhile (this attempt ran twice: its lock expired under load, say): "reference already exists". Forced, the second push replaces it.
      if (pushed.exitCode !== 0 && /reference already exists|failed to update ref|cannot lock ref/i.test(pushed.stderr)) pushed = await push();
      await flushed;
      if (pushed.exitCode !== 0) return failed('REMOTE_PUSH_FAILED', `Could not push ${data.branch}: ${pushed.stderr.trim().slice(-300)}`, true, { usage: output.usage, ...(output.costUsd === undefined ? {} : { costUsd: output.costUsd }) });
      this.emit('job-end', { jobId, taskId: data.taskId, isOk: true, commit });
      return {
        isOk: true,
        commit,
        summary: redactOutput(output.summary, this.#secrets),
        usage: output.usage,
        durationMs: Date.now() - startedAt,
        worker: this.name,
        ...(output.costUsd === undefined ? {} : { costUsd: output.costUsd }),
        ...(output.numTurns === undefined ? {} : { numTurns: output.numTurns }),
        ...(output.structuredOutput === undefined ? {} : { structuredOutput: redactJson(output.structuredOutput, this.#secrets) }),
      };
    } finally {
      relay.stop();
      // Reused by the next attempt (reset to its base then).
      this.#mirrors.release(worktree);
    }
  }

  /**
   * Commits whatever the agent left, on top of any commits of its own (HEAD), without moving
   * HEAD (the worktree is reset for the next attempt): three git calls. Nothing left is an
   * empty commit, which brings no changes.
   */
  async #commit(cwd: string, data: TaskJob): Promise<string> {
    const head = await headCommit(cwd);
    if (head === undefined) throw new OrchestratorError({ code: 'GIT_ERROR', message: `The attempt's worktree has no HEAD (${cwd}).` });
    await runGit(['add', '-A', '--', '.'], { cwd });
    const tree = (await runGit(['write-tree'], { cwd })).stdout.trim();
    return (await runGit(['commit-tree', tree, '-p', head, '-m', `qoder-orch: ${data.taskId} attempt ${data.attempt} (run ${data.runId})`], { cwd })).stdout.trim();
  }

  #provider(name: string): Promise<LLMProviderV1> {
    const { providers } = this.#options;
    let provider = this.#providers.get(name);
    if (!provider) {
      provider = typeof providers === 'function' ? providers(name) : Promise.resolve(providers[name] ?? Object.values(providers)[0]).then((found) => found ?? Promise.reject(new Error('none configured')));
      provider.catch(() => this.#providers.delete(name));
      this.#providers.set(name, provider);
    }
    return provider;
  }

  /** Agent events, redacted, sent as job progress a few at a time. */
  #relay(job: Job): { push: (event: AgentEvent) => void; flush: () => Promise<void>; stop: () => void } {
    let pending: AgentEvent[] = [];
    let timer: NodeJS.Timeout | undefined;
    let sending = Promise.resolve();
    const flush = () => {
      timer = undefined;
      if (pending.length === 0) return sending;
      const events = pending.map((event) => redactJson(event, this.#secrets));
      pending = [];
      sending = sending.then(() =>
        job.updateProgress({ events }).then(
          () => undefined,
          () => undefined,
        ),
      );
      return sending;
    };
    return {
      push: (event) => {
        pending.push(event);
        timer ??= setTimeout(() => void flush(), EVENT_FLUSH_MS);
      },
      flush: () => {
        if (timer) clearTimeout(timer);
        return flush();
      },
      stop: () => {
        if (timer) clearTimeout(timer);
      },
    };
  }
}

function agentSettings(data: TaskJob) {
  const { model, systemPrompt, allowedTools, disallowedTools, permissionMode, maxTurns, maxBudgetUsd, timeoutMs } = data;
  return Object.fromEntries(Object.entries({ model, systemPrompt, allowedTools, disallowedTools, permissionMode, maxTurns, maxBudgetUsd, timeoutMs }).filter(([, value]) => value !== undefined));
}

/** A worker, started: it takes jobs until closed. */
export async function createWorker(options: TaskWorkerOptions): Promise<TaskWorker> {
  const worker = new TaskWorker(options);
  await worker.start();
  return worker;
}
