import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompleteOptions } from '@qoder-orch/spec';
import { createDirectoryWorkspace, createOrchestrator, MemoryRunStore, OrchestratorError, type TaskWorkspace } from '../index';
import { MockAgentProvider } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const PLAN = `\`\`\`json\n${JSON.stringify({ summary: 'plan', tasks: [{ id: 'a', title: 'Do a', agent: 'backend-dev' }] })}\n\`\`\``;
const MET = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });

/** Resolves when `promise` does; rejects after `ms` so that a planner that never starts fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A directory workspace whose `begin` waits until the first plan has been asked for (so it
 * can only finish when the plan is asked for during the beginning) and then does `after`.
 */
async function setUp(after: () => void) {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-begin-'));
  directories.push(projectDir);
  let planAsked!: (options: CompleteOptions) => void;
  const planCall = new Promise<CompleteOptions>((resolve) => {
    planAsked = resolve;
  });
  const log: string[] = [];
  const inner = createDirectoryWorkspace({ projectDir });
  const workspace: TaskWorkspace = {
    kind: inner.kind,
    isIsolated: inner.isIsolated,
    begin: async (options) => {
      log.push('begin');
      await within(planCall, 10_000, 'the planning call');
      after();
      const result = await inner.begin(options);
      log.push('begun');
      return result;
    },
    recover: (tasks) => inner.recover(tasks),
    prepare: (task, options) => {
      log.push(`prepare ${task.id}`);
      return inner.prepare(task, options);
    },
    complete: (task, prepared, options) => inner.complete(task, prepared, options),
    discard: (task, prepared, options) => inner.discard(task, prepared, options),
    changedFiles: (prepared) => inner.changedFiles(prepared),
    end: (options) => {
      log.push('end');
      return inner.end(options);
    },
  };
  return { projectDir, workspace, planAsked, log };
}

describe('the beginning of a run', () => {
  it('asks for the first plan while the workspace begins, and starts no task before it has begun', async () => {
    const { projectDir, workspace, planAsked, log } = await setUp(() => log.push('plan asked'));
    const provider = new MockAgentProvider({
      complete: (options) => {
        if (options.purpose === 'judge') return MET;
        planAsked(options);
        return PLAN;
      },
      runTask: { a: [{ type: 'success', files: { 'a.txt': 'A' } }] },
    });
    const orchestrator = createOrchestrator({ projectDir, provider, workspace, runStore: new MemoryRunStore(), config: { execution: { testCommand: ['node', '-e', '0'] } } });
    const summary = await orchestrator.run('Build the thing');
    expect(summary.stopReason).toBe('met');
    expect(log).toEqual(['begin', 'plan asked', 'begun', 'prepare a', 'end']);
  });

  it('stops the planning call when the workspace cannot begin, and ends the run with that error without ending what never began', async () => {
    const { projectDir, workspace, planAsked, log } = await setUp(() => {
      throw new OrchestratorError({ code: 'DIRTY_WORKTREE', message: 'The checkout has uncommitted changes.' });
    });
    let planSignal: AbortSignal | undefined;
    const provider = new MockAgentProvider({
      complete: (options) => {
        planSignal = options.abortSignal;
        planAsked(options);
        // A long planning call: it ends only when it is stopped.
        return new Promise((_, reject) => options.abortSignal?.addEventListener('abort', () => reject(options.abortSignal?.reason), { once: true }));
      },
    });
    const orchestrator = createOrchestrator({ projectDir, provider, workspace, runStore: new MemoryRunStore() });
    const summary = await orchestrator.run('Build the thing');
    expect(summary.stopReason).toBe('error');
    expect(summary.error?.code).toBe('DIRTY_WORKTREE');
    expect(planSignal?.aborted).toBe(true);
    expect(provider.calls.runTask).toHaveLength(0);
    expect(log).toEqual(['begin']);
  });
});
