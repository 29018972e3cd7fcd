import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';

/**
 * Runs one reliability case: records it as tried, runs the checks, and records it as held only
 * when every check passed. `dataLost` counts what the case found missing (it must stay 0).
 */
export async function holds(category: string, name: string, check: () => Promise<{ dataLost?: number } | void> | { dataLost?: number } | void): Promise<void> {
  const log = inject('reliabilityLog');
  appendFileSync(log, `${JSON.stringify({ category, name, phase: 'tried' })}\n`);
  const outcome = await check();
  const dataLost = outcome && typeof outcome === 'object' ? (outcome.dataLost ?? 0) : 0;
  appendFileSync(log, `${JSON.stringify({ category, name, phase: 'held', dataLost })}\n`);
  if (dataLost > 0) throw new Error(`${category} / ${name}: ${dataLost} item(s) of data lost`);
}
