import { addUsage, type ProviderSpend, type TaskResult, type Usage } from '@qoder-orch/spec';

type Purpose = ProviderSpend['purposes'][number];

/** `spends` with `usage` and `costUsd` added to the provider's entry (made when missing), the purpose noted. */
export function addProviderSpend(spends: readonly ProviderSpend[] | undefined, providerId: string, purpose: Purpose, usage: Usage, costUsd: number): ProviderSpend[] {
  const list = (spends ?? []).map((spend) => ({ ...spend, purposes: [...spend.purposes] }));
  let entry = list.find((spend) => spend.providerId === providerId);
  if (!entry) {
    entry = { providerId, purposes: [], usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
    list.push(entry);
  }
  if (!entry.purposes.includes(purpose)) entry.purposes.push(purpose);
  entry.usage = addUsage(entry.usage, usage);
  entry.costUsd += costUsd;
  return list;
}

/**
 * The run's spend per provider: planning and judging as recorded, then each task result
 * under the provider that ran its agent (`providerOf`).
 */
export function spendByProvider(overhead: readonly ProviderSpend[] | undefined, results: readonly TaskResult[], providerOf: (agent: string) => string): ProviderSpend[] {
  let spends = [...(overhead ?? [])];
  for (const result of results) spends = addProviderSpend(spends, providerOf(result.agent), 'task', result.usage, result.costUsd);
  return spends;
}
