import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WarmUp, WarmUpOptions } from '@qoder-orch/spec';
import { MemoryRunStore, type OrchestratorOptions, createOrchestrator } from '../index';
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
  /** Cancels by the purpose of the warm-up cancelled. */
  readonly cancelled: Record<string, number> = {};
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
    return {
      cancel: () => {
        this.log.push(`cancel ${options.purpose}`);
        if (options.purpose === 'judge') this.cancels += 1;
        this.cancelled[options.purpose ?? ''] = (this.cancelled[options.purpose ?? ''] ?? 0) + 1;
      },
    };
  }
}

async function runWith(ids: string[], maxParallel: number, options: Pick<OrchestratorOptions, 'preflight'> = {}, log: string[] = []) {
  const provider = new WarmingProvider(log, ids);
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-warm-'));
  directories.push(projectDir);
  const orchestrator = createOrchestrator({ projectDir, provider, runStore: new MemoryRunStore(), random: () => 0.5, config: { execution: { maxParallel, testCommand: ['node', '-e', '0'] } }, ...options });
  orchestrator.on('run-start', () => log.push('run-start'));
  orchestrator.on('plan-start', () => log.push('plan-start'));
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
    expect(provider.warmUps.find((warmUp) => warmUp.purpose === 'judge')).toEqual(judgeCall);
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

describe('the planner warmed up at the start of a fresh run', () => {
  it('asks at run-start, before preflight, with the options of the planning call; the plan takes it, and it is cancelled once planned', async () => {
    const runLog: string[] = [];
    const preflight: OrchestratorOptions['preflight'] = async () => {
      runLog.push('preflight');
      return { isPassed: true, checks: [], hasWarnings: false };
    };
    const { summary, provider } = await runWith(['a', 'b'], 2, { preflight }, runLog);
    expect(summary.status).toBe('met');
    const warmAt = runLog.indexOf('warm-up plan');
    expect(runLog.filter((entry) => entry === 'warm-up plan')).toHaveLength(1);
    expect(runLog.indexOf('run-start')).toBeLessThan(warmAt);
    expect(warmAt).toBeLessThan(runLog.indexOf('preflight'));
    expect(runLog.indexOf('complete plan')).toBeGreaterThan(runLog.indexOf('plan-start'));
    // Cancelled after the plan was made (a no-op for a provider whose warm process the call took), not again at the end.
    expect(runLog.indexOf('cancel plan')).toBeGreaterThan(runLog.indexOf('complete plan'));
    expect(runLog.indexOf('cancel plan')).toBeLessThan(runLog.indexOf('start a'));
    expect(provider.cancelled['plan']).toBe(1);
    const { prompt: _prompt, abortSignal: _signal, ...planCall } = provider.calls.complete.find((call) => call.purpose === 'plan')!;
    expect(provider.warmUps.find((warmUp) => warmUp.purpose === 'plan')).toEqual(planCall);
  });

  it('is cancelled when the run ends before it plans (preflight failed), and no planning call is made', async () => {
    const { summary, log, provider } = await runWith(['a'], 1, {
      preflight: async () => ({ isPassed: false, checks: [{ id: 'x', label: 'Something', status: 'fail', message: 'missing', fix: 'install it' }], hasWarnings: false }),
    });
    expect(summary.status).toBe('failed');
    expect(log).toContain('warm-up plan');
    expect(provider.cancelled['plan']).toBe(1);
    expect(provider.calls.complete.some((call) => call.purpose === 'plan')).toBe(false);
  });

  it('planning alone (`orchestrator.plan`) warms the same call and cancels it after', async () => {
    const log: string[] = [];
    const provider = new WarmingProvider(log, ['a']);
    const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-warm-'));
    directories.push(projectDir);
    const plan = await createOrchestrator({ projectDir, provider, runStore: new MemoryRunStore() }).plan('Build the thing');
    expect(plan.tasks.map((task) => task.id)).toEqual(['a']);
    expect(log).toEqual(['warm-up plan', 'complete plan', 'cancel plan']);
    const { prompt: _prompt, abortSignal: _signal, ...planCall } = provider.calls.complete[0]!;
    expect(provider.warmUps[0]).toEqual(planCall);
  });
});
