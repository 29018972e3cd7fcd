export { redisServerMissing, startRedisServer } from './redis-server';
export type { TestRedisServer } from './redis-server';
export { createStubAgentProvider } from './stub-agent-provider';
