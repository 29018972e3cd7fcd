import { OrchestratorError } from '@qoder-orch/spec';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** Where the queue's Redis is: a `redis://[user:password@]host:port[/db]` URL or ioredis options. */
export type RedisConnection = string | RedisOptions;

/**
 * ioredis options for BullMQ from a URL or options: `maxRetriesPerRequest: null` (BullMQ's
 * blocking connections need it) and a bounded reconnect so a lost Redis is noticed.
 */
export function redisOptionsOf(connection: RedisConnection): RedisOptions {
  if (typeof connection !== 'string') return { maxRetriesPerRequest: null, ...connection };
  let url: URL;
  try {
    url = new URL(connection);
  } catch (cause) {
    throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'The Redis address is not a URL.', fix: 'Pass --redis redis://host:6379 (rediss:// for TLS).', cause });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new OrchestratorError({ code: 'CONFIG_INVALID', message: `The Redis address must start with redis:// or rediss://, not ${url.protocol}//.`, fix: 'Pass --redis redis://host:6379.' });
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A Redis address for messages: host and port, never the password. */
export function describeConnection(options: RedisOptions): string {
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/**
 * Preflight: answers when Redis answers PING within `timeoutMs`, and otherwise throws
 * `QUEUE_UNAVAILABLE` saying where it looked (without the password).
 */
export async function checkRedis(connection: RedisConnection, { timeoutMs = 3000 }: { timeoutMs?: number } = {}): Promise<void> {
  const options = redisOptionsOf(connection);
  const client = new Redis({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 6379,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.db === undefined ? {} : { db: options.db }),
    ...(options.tls ? { tls: options.tls } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const answer = await client.ping();
    if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
  } catch (cause) {
    throw new OrchestratorError({
      code: 'QUEUE_UNAVAILABLE',
      message: `Redis at ${describeConnection(options)} did not answer: ${cause instanceof Error ? cause.message.replace(options.password ?? '\u0000', '[REDACTED]') : String(cause)}`,
      fix: 'Start Redis (Debian: apt-get install redis-server) or pass the right --redis URL; coordinator and workers must reach the same Redis.',
      cause,
    });
  } finally {
    client.disconnect();
  }
}
