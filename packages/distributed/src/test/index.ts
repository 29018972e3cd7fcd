export { redisServerMissing, redisTestSuite, startRedisServer } from './redis-server';
export type { RedisTestSuite, TestRedisServer } from './redis-server';
export { createStubAgentProvider } from './stub-agent-provider';
export { MONOREPO_ROOT, createProjectWithRemote, startWorkerProcess } from './project-fixture';
export type { WorkerProcess } from './project-fixture';
