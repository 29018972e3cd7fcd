/**
 * @qoder-orch/distributed: task attempts on other machines. The coordinator's queue executor
 * (an LLMProviderV1 the Orchestrator runs agents through) puts each attempt on a BullMQ queue
 * in Redis; workers run the agent in their own clone and push a branch; code travels by git.
 */

// The coordinator side
export { QueueExecutor, createQueueExecutor } from './coordinator/queue-executor';
export type { QueueExecutorEvents, QueueExecutorOptions } from './coordinator/queue-executor';
export { applyRemoteResult, publishBase, snapshotWorktree } from './coordinator/publish-base';
export { deleteRemoteRefs, listRemoteRunRefs, pruneRemoteRefs, runRefOf, runStartedAt } from './coordinator/remote-ref-prune';
export type { PruneRemoteRefsOptions, PruneRemoteRefsResult, RemoteRunRef } from './coordinator/remote-ref-prune';

// The worker side
export { TaskWorker, createWorker } from './worker/task-worker';
export type { TaskWorkerEvents, TaskWorkerOptions, WorkerProviders } from './worker/task-worker';

// Redis and the jobs
export { checkRedis, describeConnection, redisOptionsOf } from './connection/redis-connection';
export type { RedisConnection } from './connection/redis-connection';
export { DEFAULT_QUEUE, ProgressSchema, TaskJobResultSchema, TaskJobSchema, branchOf, jobIdOf } from './job/task-job';
export type { TaskJob, TaskJobResult } from './job/task-job';
