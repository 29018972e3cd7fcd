import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LLMProvider, type LLMProviderEvents, Planner, ProviderError, builtinSubagents } from '../index';
import { MockAgentProvider } from '../test/index';

const SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c';
const validPlan = JSON.stringify({ objective: 'x', tasks: [{ id: 'health', title: 'Add a health endpoint', agent: 'backend-dev' }] });

function recordEvents(provider: LLMProvider): Array<[keyof LLMProviderEvents, unknown]> {
  const seen: Array<[keyof LLMProviderEvents, unknown]> = [];
  for (const name of ['complete-start', 'complete-finish', 'task-start', 'agent-event', 'task-finish', 'failure', 'check'] as const) {
    provider.on(name, (payload) => seen.push([name, payload]));
  }
  return seen;
}

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('LLMProvider', () => {
  it('goes wherever a provider goes and reports each completion, task turn, agent event and check', async () => {
    const inner = new MockAgentProvider({
      complete: [validPlan],
      runTask: { health: [{ type: 'success', text: 'done', files: { 'health.js': 'ok\n' }, events: [{ type: 'text', text: `using ${SECRET}` }], usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.25 }] },
    });
    const provider = new LLMProvider(inner, { secretValues: [SECRET] });
    const seen = recordEvents(provider);

    const { plan } = await new Planner({ provider, subagents: builtinSubagents() }).plan({ objective: 'Add a /health endpoint' });
    directory = await mkdtemp(join(tmpdir(), 'qoder-orch-llm-provider-'));
    const heard: unknown[] = [];
    const result = await provider.doRunTask({ taskId: plan.tasks[0]!.id, prompt: 'write it', cwd: directory, onEvent: (event) => heard.push(event) });
    const check = await provider.doCheck?.({});

    expect(result.summary).toBe('done');
    expect(await readFile(join(directory, 'health.js'), 'utf8')).toBe('ok\n');
    expect(check).toMatchObject({ installed: true });
    expect(seen.map(([name]) => name)).toEqual(['complete-start', 'complete-finish', 'task-start', 'agent-event', 'task-finish', 'check']);
    expect(seen[0]![1]).toEqual({ providerId: inner.providerId, purpose: 'plan' });
    expect(seen[2]![1]).toEqual({ providerId: inner.providerId, taskId: 'health', cwd: directory });
    expect(seen[4]![1]).toMatchObject({ taskId: 'health', usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.25 });
    // The caller's own onEvent still hears the agent; listeners of the provider never see the secret.
    expect(heard).toEqual([{ type: 'text', text: `using ${SECRET}` }]);
    expect(JSON.stringify(seen)).not.toContain(SECRET);
    expect(JSON.stringify(seen[3]![1])).toContain('using');
  });

  it('reports a failed call and rejects with the same error', async () => {
    const provider = new LLMProvider(new MockAgentProvider({ complete: [{ type: 'error', code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 5 }] }), { secretValues: [] });
    const seen = recordEvents(provider);
    const error = await provider.doComplete({ prompt: 'hi', purpose: 'judge' }).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(seen.map(([name]) => name)).toEqual(['complete-start', 'failure']);
    expect(seen[1]![1]).toMatchObject({ call: 'complete', error: { code: 'RATE_LIMITED' } });
  });

  it('refuses something that is not a v1 provider', () => {
    expect(() => new LLMProvider({ specificationVersion: 'v2' } as never)).toThrow(/specification v1/);
  });
});
