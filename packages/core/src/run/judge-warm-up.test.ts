import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WarmUp, WarmUpOptions } from '@qoder-orch/spec';
import { MemoryRunStore, createOrchestrator } from '../index';
import { MockAgentProvider } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const plan = (ids: string[]) => `\`\`\`json\n${JSON.stringify({ summary: 'plan', tasks: ids.map((id) => ({ id, title: `Do ${id}`, agent: 'backend-dev' })) })}\n\`\`\``;
const met = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });

/** The mock provider with a warm-up that says when it was asked and cancelled, in one log with the run's events. */
class WarmingProvider extends MockAgentProvider {
  readonly warmUps: WarmUpOptions[] = [];
  cancels = 0;
  constructor(
    readonly log: string[],
    ids: string[],
  ) {
    super({
      complete: (options) => {
        log.push(`complete ${options.purpose}`);
        return options.purpose === 'judge' ? met : plan(ids);
      },
      runTask: Object.fromEntries(ids.map((id) => [id, [{ type: 'success' as const, files: { [`${id}.txt`]: id }, delayMs: 20 }]])),
    });
  }

  doWarmUp(options: WarmUpOptions): WarmUp {
    this.log.push(`warm-up ${options.purpose}`);
    this.warmUps.push(options);
    return { cancel: () => void (this.cancels += 1) };
  }
}

async function runWith(ids: string[], maxParallel: number) {
  const log: string[] = [];
  const provider = new WarmingProvider(log, ids);
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-warm-'));
  directories.push(projectDir);
  const orchestrator = createOrchestrator({ projectDir, provider, runStore: new MemoryRunStore(), random: () => 0.5, config: { execution: { maxParallel, testCommand: ['node', '-e', '0'] } } });
  orchestrator.on('task-start', ({ taskId }) => log.push(`start ${taskId}`));
  orchestrator.on('task-end', ({ taskId }) => log.push(`end ${taskId}`));
  const summary = await orchestrator.run('Build the thing');
  return { summary, log, provider };
}

describe('the judge warmed up beside the last tasks', () => {
  it('asks once, when every task has started and one ended, with the options of the verdict call; the verdict takes it', async () => {
    const { summary, log, provider } = await runWith(['a', 'b', 'c'], 2);
    expect(summary.status).toBe('met');
    const warmAt = log.indexOf('warm-up judge');
    expect(log.filter((entry) => entry === 'warm-up judge')).toHaveLength(1);
    // After the three starts and after a task ended, before the verdict was asked for.
    for (const id of ['a', 'b', 'c']) expect(log.indexOf(`start ${id}`)).toBeLessThan(warmAt);
    expect(log.slice(0, warmAt).some((entry) => entry.startsWith('end '))).toBe(true);
    expect(log.indexOf('complete judge')).toBeGreaterThan(warmAt);
    // Exactly the call the judge then made, but its prompt and signal: the provider can match them.
    const { prompt: _prompt, abortSignal: _signal, ...judgeCall } = provider.calls.complete.find((call) => call.purpose === 'judge')!;
    expect(provider.warmUps[0]).toEqual(judgeCall);
    // The run's end cancels it: a no-op for a provider whose warm process the verdict took, the end of one nobody took.
    expect(provider.cancels).toBe(1);
  });

  it('is not asked while tasks are still to start: one slot, four tasks, asked at the end of the last', async () => {
    const { log } = await runWith(['a', 'b', 'c', 'd'], 1);
    const warmAt = log.indexOf('warm-up judge');
    expect(log.slice(0, warmAt).filter((entry) => entry.startsWith('end '))).toEqual(['end a', 'end b', 'end c', 'end d']);
    expect(log[warmAt - 1]).toBe('end d');
  });
});
