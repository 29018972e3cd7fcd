import type { LLMProviderV1 } from '@qoder-orch/core';
import type { QueueSettings } from '../args/parse-arguments';

/**
 * `--redis`: the provider the run uses, wrapped so each task attempt's agent runs on a worker
 * (planning and judging stay here). Redis that does not answer fails here, before the run.
 */
export async function queueProvider(settings: QueueSettings | undefined, provider: LLMProviderV1, providerName: string, connectionLossSeconds = 30): Promise<{ provider: LLMProviderV1; close: () => Promise<void> }> {
  if (!settings) return { provider, close: async () => undefined };
  // Loaded only for a queued run: BullMQ and ioredis are no start-up cost of a local one.
  const { checkRedis, createQueueExecutor } = await import('@qoder-orch/distributed');
  await checkRedis(settings.redis);
  const executor = createQueueExecutor({
    connection: settings.redis,
    remote: settings.remote,
    provider,
    providerName,
    connectionLossMs: Math.round(connectionLossSeconds * 1000),
    ...(settings.queue ? { queue: settings.queue } : {}),
  });
  return { provider: executor, close: () => executor.close() };
}
