import { describe, expect, it } from 'vitest';
import { checkRedis, describeConnection, redisOptionsOf } from './redis-connection';

describe('redisOptionsOf', () => {
  it('reads host, port, user, password, database and TLS from a URL, with BullMQ’s maxRetriesPerRequest null', () => {
    expect(redisOptionsOf('redis://alice:p%40ss@queue.example:6380/2')).toEqual({ host: 'queue.example', port: 6380, username: 'alice', password: 'p@ss', db: 2, maxRetriesPerRequest: null });
    expect(redisOptionsOf('rediss://queue.example')).toMatchObject({ host: 'queue.example', port: 6379, tls: {} });
    expect(redisOptionsOf({ host: 'h', port: 1 })).toEqual({ host: 'h', port: 1, maxRetriesPerRequest: null });
  });

  it('refuses what is not a redis URL', () => {
    expect(() => redisOptionsOf('queue.example:6379')).toThrow(/not a URL|must start with redis/);
    expect(() => redisOptionsOf('http://queue.example')).toThrow('must start with redis:// or rediss://, not http://');
  });

  it('describes a connection without its password', () => {
    expect(describeConnection(redisOptionsOf('redis://:secret-pw@h:7000'))).toBe('h:7000');
  });

  it('checkRedis: a port where nothing listens is QUEUE_UNAVAILABLE, quickly, without the password', async () => {
    const startedAt = Date.now();
    const error = await checkRedis('redis://:secret-pw@127.0.0.1:1', { timeoutMs: 1000 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(String((error as Error).message)).toContain('Redis at 127.0.0.1:1 did not answer');
    expect(String((error as Error).message)).not.toContain('secret-pw');
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });
});
