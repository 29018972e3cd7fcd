import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurationHistory, createOrchestrator, type DurationHistory, MemoryRunStore } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider } from '../test/index';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

describe("the run's own files before the judge's checks", () => {
  it('finishes saving the duration history (in the project) before the checks run there', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const file = join(repository.root, '.qoder-orch', 'history', 'durations.json');
    const real = await createDurationHistory({ file });
    // A slow disk: the save lands well after the task ended.
    const slow: DurationHistory = {
      ...real,
      record: async (task, durationMs) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await real.record(task, durationMs);
      },
    };
    const provider = new MockAgentProvider({
      complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : JSON.stringify({ tasks: [{ id: 'one', title: 'Write notes', agent: 'backend-dev', files: ['notes.md'] }] })),
      runTask: { one: [{ type: 'success', delayMs: 5, files: { 'notes.md': '# Notes\n' } }] },
    });
    const orchestrator = createOrchestrator({
      projectDir: repository.root,
      provider,
      runStore: new MemoryRunStore(),
      durationHistory: slow,
      config: {
        // The project's checks see the history file: it was saved before they started.
        execution: { maxParallel: 1, maxIterations: 1, isolation: 'shared', testCommand: ['node', '-e', `process.exit(require('node:fs').existsSync(${JSON.stringify(file)}) ? 0 : 1)`] },
      },
    });
    const summary = await orchestrator.run('Write the notes');
    expect(summary.status).toBe('met');
    expect(existsSync(file)).toBe(true);
  });
});
