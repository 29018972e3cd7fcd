import { describe, expect, it } from 'vitest';
import { PlanError, Planner, type PlannerEvents, builtinSubagents } from '../index';
import { MockAgentProvider } from '../test/index';

const subagents = builtinSubagents();
const validPlan = JSON.stringify({ objective: 'x', tasks: [{ id: 'health', title: 'Add a health endpoint', agent: 'backend-dev' }] });

/** Every event a planner emits, in order, as [name, payload]. */
function recordEvents(planner: Planner): Array<[keyof PlannerEvents, unknown]> {
  const seen: Array<[keyof PlannerEvents, unknown]> = [];
  for (const name of ['attempt', 'retry', 'repair', 'plan'] as const) planner.on(name, (payload) => seen.push([name, payload]));
  return seen;
}

describe('Planner events', () => {
  it('announces each attempt, a transient provider failure retried, an unusable answer repaired, and the plan', async () => {
    const provider = new MockAgentProvider({
      complete: [{ type: 'error', code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 5 }, 'no plan here, sorry', validPlan],
    });
    const planner = new Planner({ provider, subagents, timeoutMs: 1234, retryPolicy: { maxAttempts: 2, backoffFactor: 2, initialDelayMs: 1, maxDelayMs: 10 } });
    const seen = recordEvents(planner);
    const outcome = await planner.plan({ objective: 'Add a /health endpoint' });
    expect(seen.map(([name]) => name)).toEqual(['attempt', 'retry', 'repair', 'attempt', 'plan']);
    expect(seen[0]![1]).toEqual({ attempt: 1, timeoutMs: 1234 });
    expect(seen[1]![1]).toMatchObject({ attempt: 1, delayMs: expect.any(Number) });
    expect((seen[1]![1] as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(5);
    expect(seen[2]![1]).toMatchObject({ attempt: 1, issues: [{ kind: 'no-json' }] });
    expect(seen[3]![1]).toEqual({ attempt: 2, timeoutMs: 1234 });
    expect(seen[4]![1]).toEqual(outcome);
    expect(outcome.plan.tasks.map((task) => task.id)).toEqual(['health']);
  });

  it('emits no plan when every answer is unusable, and no repair after the last one', async () => {
    const planner = new Planner({ provider: new MockAgentProvider({ complete: ['nothing', 'still nothing'] }), subagents, maxAttempts: 2 });
    const seen = recordEvents(planner);
    await expect(planner.plan({ objective: 'x' })).rejects.toSatisfy((error) => PlanError.isInstance(error));
    expect(seen.map(([name]) => name)).toEqual(['attempt', 'repair', 'attempt']);
  });
});
