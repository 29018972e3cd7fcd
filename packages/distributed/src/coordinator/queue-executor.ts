import { randomUUID } from 'node:crypto';
import {
  type AgentEvent,
  type CheckOptions,
  type CheckResult,
  type CompleteOptions,
  type CompleteResult,
  type ErrorCode,
  type LLMProviderV1,
  OrchestratorError,
  ProviderError,
  type RunTaskOptions,
  type RunTaskResult,
} from '@qoder-orch/spec';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { EventEmitter } from 'eventemitter3';
import { Redis } from 'ioredis';
import { checkRedis, type RedisConnection, redisOptionsOf } from '../connection/redis-connection';
import { runGit } from '../git/run-git';
import { branchOf, cancelChannelOf, DEFAULT_QUEUE, jobIdOf, ProgressSchema, type TaskJob, type TaskJobResult, TaskJobResultSchema, TaskJobSchema } from '../job/task-job';
import { abortable, withinMs } from './async-bounds';
import { ConnectionWatch } from './connection-watch';
import { applyRemoteResult, publishBase, snapshotState } from './publish-base';
import { RemoteRefDeleter } from './remote-ref-deleter';
import { leftoverRunRefs } from './run-leftovers';
import { pick, refSafe } from './attempt-data';
import { ResultFetcher } from './result-fetcher';
import { Slots } from '../util/slots';

export interface QueueExecutorOptions {
  /** The Redis the workers take jobs from. */
  connection: RedisConnection;
  /** @default 'qoder-orch-tasks' */
  queue?: string;
  /** Where code travels: a remote name of the project's repository (`origin`) or a git URL/path. */
  remote: string;
  /** The URL workers fetch from and push to, when it differs from what `remote` resolves to here. */
  repositoryUrl?: string;
  /** The coordinator's own provider: plans, judges and checks run here (`doComplete`, `doCheck`). */
  provider: LLMProviderV1;
  /** The provider workers run agents with (a name their `createProvider` knows). @default provider.providerId */
  providerName?: string;
  /** Waiting attempts fail with QUEUE_UNAVAILABLE once Redis has not answered for this long. @default 30000 */
  connectionLossMs?: number;
  /**
   * What an aborted task (Ctrl-C, the run's budget, a timeout) does to its attempt when a worker
   * is already running it: `cancel` asks the worker to stop the agent (it reports ABORTED), as a
   * local agent would be killed; `let-run` leaves it running so a resumed run collects it.
   * A waiting attempt is always taken off the queue. @default 'cancel'
   */
  onAbort?: 'cancel' | 'let-run';
  /** Keep the `refs/qoder-orch/base/<run>/<commit>` refs this executor pushed when it closes (by default they are deleted from the remote). */
  keepBaseRefs?: boolean;
  /**
   * Workers' results are fetched at most once per this interval; those that arrive meanwhile go
   * in one fetch (a fetch costs the coordinator and the remote five git processes, whatever it
   * brings). A result that arrives after a quiet interval is fetched at once. @default 1000
   */
  resultFetchIntervalMs?: number;
  /** Keep workers' result branches (`qoder-orch/<run>/<task>/<attempt>`) on the remote (by default those brought back or refused are deleted when the executor closes, with the base refs, in one push). */
  keepResultBranches?: boolean;
}

export interface QueueExecutorEvents {
  /** An attempt was put on the queue (or found there from before: `isExisting`). */
  'job-queued': [{ jobId: string; taskId: string; baseCommit: string; isExisting: boolean }];
  /** A worker finished an attempt (its own failures included). */
  'job-finished': [{ jobId: string; taskId: string; worker: string; isOk: boolean; code?: string }];
}

const KNOWN_CODES = new Set<string>([
  'NOT_INSTALLED',
  'AUTH',
  'RATE_LIMITED',
  'USAGE_LIMIT',
  'OVERLOADED',
  'TIMEOUT',
  'MAX_TURNS',
  'BUDGET',
  'CRASHED',
  'BAD_OUTPUT',
  'PERMISSION_DENIED',
  'API_ERROR',
  'ABORTED',
  'REMOTE_PUSH_FAILED',
  'REMOTE_RESULT_INVALID',
  'GIT_ERROR',
  'CONFIG_INVALID',
]);
const KEEP_FINISHED = { age: 7 * 24 * 3600, count: 10_000 };
/** Attempts prepared (snapshot and publish) at once. */
const PREPARED_AT_ONCE = 4;
/** How long a clean-up may wait on Redis before it is given up (Redis may be the reason for it). */
const QUICK_MS = 2000;

/**
 * Runs each task attempt's agent on a remote worker through a BullMQ queue, behind the
 * provider interface: the pipeline prepares the task's worktree and calls `doRunTask` as for
 * any agent; this publishes the worktree's state to the git remote, enqueues the attempt as
 * data (job id `<run>/<task>/<attempt>`: idempotent, and a resumed run collects an attempt that
 * finished meanwhile), relays the worker's agent events, and brings the worker's commit back
 * into the worktree as changes, which the pipeline then checks, commits and merges as a local
 * agent's. Planning, judging, checks and merges stay on the coordinator.
 */
export class QueueExecutor extends EventEmitter<QueueExecutorEvents> implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #options: QueueExecutorOptions;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #progress = new Map<string, (event: AgentEvent) => void>();
  #ready: Promise<void> | undefined;
  readonly #watch: ConnectionWatch;
  /** Base refs pushed so far (each once), by name. */
  readonly #published = new Map<string, Promise<void>>();
  /** The runs this executor ran attempts of (their leftovers on the remote are looked for when it closes). */
  readonly #runIds = new Set<string>();
  #repositoryUrl: Promise<string> | undefined;
  /** The repository (its common git folder) the base refs were pushed from: the task worktrees are gone by the time they are pruned. */
  #gitDir: string | undefined;
  readonly #fetcher: ResultFetcher;
  readonly #deleter: RemoteRefDeleter;
  /** Attempts whose starting state is being snapshotted and published. */
  readonly #preparing = new Slots(PREPARED_AT_ONCE);

  constructor(options: QueueExecutorOptions) {
    super();
    this.#options = options;
    this.#fetcher = new ResultFetcher(options.remote, options.resultFetchIntervalMs === undefined ? {} : { intervalMs: options.resultFetchIntervalMs });
    this.#deleter = new RemoteRefDeleter(options.remote);
    this.providerId = `queue(${options.provider.providerId})`;
    const connection = redisOptionsOf(options.connection);
    const name = options.queue ?? DEFAULT_QUEUE;
    this.#queue = new Queue(name, { connection });
    const lossMs = options.connectionLossMs ?? 30_000;
    this.#watch = new ConnectionWatch(options.connection, { lossMs, intervalMs: Math.max(200, Math.min(1000, Math.floor(lossMs / 3))) });
    this.#events = new QueueEvents(name, { connection });
    // Every waiting attempt listens on both (BullMQ's waitUntilFinished); many at once are expected.
    this.#queue.setMaxListeners(0);
    this.#events.setMaxListeners(0);
    // Connection errors surface as failed waits; keep them from being unhandled 'error' events.
    this.#queue.on('error', () => undefined);
    this.#events.on('error', () => undefined);
    this.#events.on('progress', ({ jobId, data }) => {
      const relay = this.#progress.get(jobId);
      const parsed = ProgressSchema.safeParse(data);
      if (relay && parsed.success) for (const event of parsed.data.events) relay(event as AgentEvent);
    });
  }

  doComplete(options: CompleteOptions): Promise<CompleteResult> {
    return this.#options.provider.doComplete(options);
  }

  /** The coordinator's provider's check, plus whether Redis answers (preflight). */
  async doCheck(options: CheckOptions): Promise<CheckResult> {
    const local = this.#options.provider.doCheck ? await this.#options.provider.doCheck(options) : { installed: true, authenticated: 'unknown' as const, problems: [] };
    try {
      await checkRedis(this.#options.connection);
      return local;
    } catch (error) {
      const { message, fix } = error as OrchestratorError;
      return { ...local, problems: [...local.problems, { message, fix: fix ?? 'Start Redis.', severity: 'error' }] };
    }
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const { cwd, abortSignal } = options;
    const signal = abortSignal ? { abortSignal } : {};
    // A call without a run (a batch, speculation, a program of its own) gets an id of its own: nothing to collect.
    const identity = { runId: options.runId ?? `adhoc-${randomUUID()}`, taskId: refSafe(options.taskId), attempt: options.attempt ?? 1 };
    const jobId = jobIdOf(identity);
    if (options.runId !== undefined) this.#runIds.add(identity.runId);
    const { base, isClean, baseRef } = await this.#prepare(cwd, identity.runId, abortSignal);
    const data: TaskJob = TaskJobSchema.parse({
      ...identity,
      repositoryUrl: await this.#repositoryUrlFor(cwd),
      baseRef,
      baseCommit: base,
      branch: branchOf(identity),
      prompt: options.prompt,
      providerName: this.#options.providerName ?? this.#options.provider.providerId,
      ...pick(options),
    });
    if (options.onEvent) this.#progress.set(jobId, options.onEvent);
    try {
      // A second round only when an attempt collected from before (its base has moved) does not merge: it runs again on this base.
      for (let isRerun = false; ; isRerun = true) {
        const { result, recordedBase } = await this.#submitAndWait(data, jobId, abortSignal, isRerun);
        this.emit('job-finished', { jobId, taskId: data.taskId, worker: result.worker, isOk: result.isOk, ...(result.isOk ? {} : { code: result.code }) });
        if (!result.isOk) {
          const code = (KNOWN_CODES.has(result.code) ? result.code : 'CRASHED') as ErrorCode;
          throw new ProviderError({
            providerId: this.providerId,
            code,
            message: `Worker ${result.worker}: ${result.message}`,
            isRetryable: result.isRetryable,
            ...(result.usage ? { usage: result.usage } : {}),
            ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
          });
        }
        // Brought back or refused, the branch has served: deleted when the run ends (a resumed run finds the result in the local ref it was fetched to).
        const served = () => !this.#options.keepResultBranches && this.#gitDir && this.#deleter.delete(this.#gitDir, [`refs/heads/${data.branch}`]);
        const isApplied = await applyRemoteResult({
          cwd,
          remote: this.#options.remote,
          branch: data.branch,
          base,
          commit: result.commit,
          fetcher: this.#fetcher,
          isCleanBase: isClean,
          ...(recordedBase === base ? {} : { recordedBase }),
          ...signal,
        }).catch((error: unknown) => {
          if (OrchestratorError.isInstance(error) && error.code === 'REMOTE_RESULT_INVALID') served();
          throw error;
        });
        served();
        if (!isApplied) continue;
        return {
          summary: result.summary,
          usage: result.usage,
          durationMs: result.durationMs,
          ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
          ...(result.numTurns === undefined ? {} : { numTurns: result.numTurns }),
          ...(result.structuredOutput === undefined ? {} : { structuredOutput: result.structuredOutput }),
        };
      }
    } finally {
      this.#progress.delete(jobId);
    }
  }

  /** Closes the queue's connections. */
  async close(): Promise<void> {
    this.#watch.stop();
    await this.#pruneRemoteRefs();
    await this.#fetcher.clear(this.#gitDir);
    // A Redis that is gone would keep a graceful close waiting: drop the connections then.
    const closed = await withinMs(Promise.allSettled([this.#queue.close(), this.#events.close()]), QUICK_MS);
    if (closed === undefined) await withinMs(Promise.allSettled([this.#queue.disconnect(), this.#events.disconnect()]), QUICK_MS);
  }

  /** Puts the attempt on the queue (or finds it there) and waits for its answer; a Redis that stays away fails it. */
  async #submitAndWait(data: TaskJob, jobId: string, abortSignal: AbortSignal | undefined, isReplacing: boolean): Promise<{ result: TaskJobResult; recordedBase: string }> {
    const watched = this.#watch.watch();
    try {
      const { value, recordedBase } = await abortable(Promise.race([this.#submit(data, jobId, abortSignal, isReplacing), watched.lost]), abortSignal);
      const parsed = TaskJobResultSchema.safeParse(value);
      if (!parsed.success) throw new ProviderError({ providerId: this.providerId, code: 'BAD_OUTPUT', message: `The worker's answer for ${jobId} is not a task result: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
      return { result: parsed.data, recordedBase };
    } catch (error) {
      if (OrchestratorError.isInstance(error) && !abortSignal?.aborted) throw error;
      if (abortSignal?.aborted) {
        // A waiting job is taken off the queue; a running one is cancelled on its worker (or left to run: onAbort).
        // Bounded: the run may be stopping because Redis is gone, and then the job stays for the resumed run to collect.
        await withinMs(
          this.#withdraw(jobId).catch(() => undefined),
          QUICK_MS,
        );
        throw new ProviderError({ providerId: this.providerId, code: 'ABORTED', message: 'The task was cancelled while on the queue.', isCanceled: true });
      }
      // The queue gave up on it (stalled too often, the worker died for good): worth another attempt.
      throw new ProviderError({ providerId: this.providerId, code: 'CRASHED', message: `The queued attempt ${jobId} failed: ${error instanceof Error ? error.message : String(error)}`, isRetryable: true });
    } finally {
      watched.release();
    }
  }

  /** The worker's answer, and the base the attempt ran on (an attempt from before may have run on an older one). */
  async #submit(data: TaskJob, jobId: string, abortSignal: AbortSignal | undefined, isReplacing: boolean): Promise<{ value: unknown; recordedBase: string }> {
    await this.#whenReady();
    let job = await this.#queue.getJob(jobId);
    // An attempt on the queue from before (a resumed run): collected when it is the same work or its work is done or under way, replaced when not.
    if (job && (isReplacing || !(await isCollectable(job, data.baseCommit)))) {
      await job.remove();
      job = undefined;
    }
    if (abortSignal?.aborted) throw abortSignal.reason;
    const isExisting = job !== undefined;
    job ??= await this.#queue.add('task', data, { jobId, attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
    const recordedBase: string = isExisting ? job.data.baseCommit : data.baseCommit;
    this.emit('job-queued', { jobId, taskId: data.taskId, baseCommit: recordedBase, isExisting });
    return { value: await job.waitUntilFinished(this.#events), recordedBase };
  }

  /** Takes a waiting job off the queue; a running one (locked by its worker) is cancelled there unless `onAbort` is 'let-run'. */
  async #withdraw(jobId: string): Promise<void> {
    const job = await this.#queue.getJob(jobId);
    if (!job) return;
    const isRemoved = await job.remove().then(
      () => true,
      () => false,
    );
    if (isRemoved || this.#options.onAbort === 'let-run') return;
    // Rare: a connection of its own for the one message.
    // No reconnecting and no offline queue: with Redis gone it fails at once instead of lingering.
    const client = new Redis({ ...redisOptionsOf(this.#options.connection), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: QUICK_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.publish(cancelChannelOf(this.#queue.name), jobId);
    } finally {
      client.disconnect();
    }
  }

  /**
   * The state the attempt starts from, snapshotted and published. A few attempts are prepared at
   * once: with many started together, the first reach the queue (and the workers) while the
   * others' snapshots are still made, instead of every push waiting behind every snapshot's git.
   */
  async #prepare(cwd: string, runId: string, abortSignal: AbortSignal | undefined): Promise<{ base: string; isClean: boolean; baseRef: string }> {
    await this.#preparing.acquire();
    try {
      const { commit: base, isClean } = await snapshotState(cwd);
      // One ref per starting commit: tasks that start from the same state share one push (and workers' mirrors have it already).
      // Named for the run too: a run that ends deletes its own refs, never another coordinator's from the same commit.
      const baseRef = `refs/qoder-orch/base/${runId}/${base}`;
      await this.#publish(cwd, base, baseRef, abortSignal);
      return { base, isClean, baseRef };
    } finally {
      this.#preparing.release();
    }
  }

  #publish(cwd: string, base: string, baseRef: string, abortSignal: AbortSignal | undefined): Promise<void> {
    let published = this.#published.get(baseRef);
    if (!published) {
      published = (async () => {
        this.#gitDir ??= await commonGitDir(cwd);
        await publishBase(cwd, this.#options.remote, base, baseRef, abortSignal);
      })();
      published.catch(() => this.#published.delete(baseRef));
      this.#published.set(baseRef, published);
    }
    return published;
  }

  /**
   * Deletes the base refs this executor pushed, and the result branches it brought back, in
   * one push when the run is over: attempts that were running have fetched their base, and a
   * resumed run pushes a base again before it enqueues.
   */
  async #pruneRemoteRefs(): Promise<void> {
    const refs = [...this.#published.keys()];
    this.#published.clear();
    const gitDir = this.#gitDir;
    if (!this.#options.keepBaseRefs && gitDir) this.#deleter.delete(gitDir, refs);
    // What earlier coordinators of these runs left (killed before they closed), in the same push.
    if (gitDir && !(this.#options.keepBaseRefs && this.#options.keepResultBranches)) {
      const within = <T>(promise: Promise<T>) => withinMs(promise, QUICK_MS);
      const leftovers = await leftoverRunRefs({ gitDir, remote: this.#options.remote, runIds: [...this.#runIds], queue: this.#queue, within }).catch(() => undefined);
      const isKept = (ref: string) => (ref.startsWith('refs/heads/') ? this.#options.keepResultBranches : this.#options.keepBaseRefs) === true;
      this.#deleter.delete(
        gitDir,
        (leftovers ?? []).filter((ref) => !isKept(ref)),
      );
    }
    await this.#deleter.flush();
  }

  #whenReady(): Promise<void> {
    this.#ready ??= Promise.all([this.#events.waitUntilReady(), this.#queue.waitUntilReady()]).then(() => undefined);
    return this.#ready;
  }

  /** One lookup for every task (their worktrees are of one repository), however many start at once. */
  #repositoryUrlFor(cwd: string): Promise<string> {
    if (this.#options.repositoryUrl) return Promise.resolve(this.#options.repositoryUrl);
    this.#repositoryUrl ??= runGit(['remote', 'get-url', this.#options.remote], { cwd, isTolerant: true }).then((named) => (named.exitCode === 0 ? named.stdout.trim() : this.#options.remote));
    return this.#repositoryUrl;
  }
}

/**
 * Whether an attempt found on the queue from before is collected rather than replaced: one on
 * the same base that has not failed (as before), and one whose base has moved since (the
 * integration branch went on while the coordinator was away) when its work is under way or
 * done: its commit is merged three-way into the new base when it is brought back.
 */
async function isCollectable(job: Job, baseCommit: string): Promise<boolean> {
  const state = await job.getState();
  if (state === 'failed') return false;
  if (job.data?.baseCommit === baseCommit) return true;
  if (!TaskJobSchema.shape.baseCommit.safeParse(job.data?.baseCommit).success) return false;
  if (state === 'active') return true;
  return state === 'completed' && (job.returnvalue as { isOk?: unknown } | null)?.isOk === true;
}

/** The repository's shared git folder (the main one's `.git` for a linked worktree), absolute. */
async function commonGitDir(cwd: string): Promise<string> {
  const found = await runGit(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd });
  return found.stdout.trim();
}

/** A queue executor: plug it in as the Orchestrator's provider (see {@link QueueExecutor}). */
export function createQueueExecutor(options: QueueExecutorOptions): QueueExecutor {
  return new QueueExecutor(options);
}
