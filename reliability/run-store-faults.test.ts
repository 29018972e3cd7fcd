import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type EventEnvelope, FileRunStore, RunStateSchema, createOrchestrator } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { createUserRepository, git } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real processes and git on a shared 2-core machine: generous per-test limits, no timed assertions.
vi.setConfig({ testTimeout: 120_000 });

/**
 * The disk fills up under the run folder: the next write to a file there writes half its bytes
 * and fails with ENOSPC, as a real full disk does. Everything else (git, the project) is not
 * affected. This is `node:fs/promises` as the run store sees it, so the real FileRunStore and
 * its atomic writes run unchanged.
 */
const disk = vi.hoisted(() => ({ isFull: false, under: '\0' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const isAffected = (path: unknown) => disk.isFull && String(path).startsWith(disk.under);
  const half = (data: unknown) => {
    const text = typeof data === 'string' ? data : Buffer.from(data as Uint8Array).toString('utf8');
    return text.slice(0, Math.floor(text.length / 2));
  };
  const open = async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args);
    const flags = args[1];
    if (!isAffected(args[0]) || flags === undefined || flags === 'r') return handle;
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writeFile') {
          return async (data: unknown) => {
            await target.writeFile(half(data));
            throw enospc();
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...parameters: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  const appendFile = async (...args: Parameters<typeof real.appendFile>) => {
    if (isAffected(args[0]) && String(args[1]).length > 0) {
      await real.appendFile(args[0], half(args[1]));
      throw enospc();
    }
    return real.appendFile(...args);
  };
  return { ...real, open, appendFile, default: { ...real, open, appendFile } };
});

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

const TASKS = ['one', 'two', 'three'].map((id, index) => ({ id, title: `Write ${id}`, agent: 'backend-dev', files: [`src/${id}.txt`], dependsOn: index === 2 ? ['one', 'two'] : [] }));

function orchestratorFor(projectDir: string, runId?: string) {
  const provider = new MockAgentProvider({
    complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : JSON.stringify({ tasks: TASKS })),
    runTask: (options) => ({ type: 'success', delayMs: 10, files: { [`src/${options.taskId}.txt`]: `${options.taskId}\n` } }),
  });
  const orchestrator = createOrchestrator({
    projectDir,
    provider,
    durationHistory: false,
    ...(runId === undefined ? {} : { runId }),
    config: { execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', '-e', '0'] }, retry: { initialDelayMs: 1, maxDelayMs: 2 } },
  });
  return { orchestrator, provider };
}

describe('run store faults', () => {
  it('a file where the run folder should be: a clear RUN_STORE_ERROR, no agent work, no state anywhere', async () => {
    await holds('disk and run folder', 'unwritable run folder', async () => {
      const projectDir = createUserRepository({ 'README.md': '# p\n', '.gitignore': '.qoder-orch/\n' });
      directories.push(join(projectDir, '..'));
      mkdirSync(join(projectDir, '.qoder-orch'), { recursive: true });
      writeFileSync(join(projectDir, '.qoder-orch', 'runs'), 'not a folder\n');
      const { orchestrator, provider } = orchestratorFor(projectDir);
      const summary = await orchestrator.run('Write the files');
      expect(summary.status).toBe('failed');
      expect(summary.error?.code).toBe('RUN_STORE_ERROR');
      expect(summary.error?.message).toContain(join(projectDir, '.qoder-orch', 'runs'));
      expect(provider.calls.runTask).toHaveLength(0);
      expect(readFileSync(join(projectDir, '.qoder-orch', 'runs'), 'utf8')).toBe('not a folder\n');
      expect(git(projectDir, ['status', '--porcelain']).trim()).toBe('');
    });
  });

  it('the disk fills up mid-run: the run stops with RUN_STORE_ERROR and a fix, state.json stays whole, and the run resumes once space is back', async () => {
    await holds('disk and run folder', 'ENOSPC mid-run, then resumed', async () => {
      const projectDir = createUserRepository({ 'README.md': '# p\n', '.gitignore': '.qoder-orch/\n' });
      directories.push(join(projectDir, '..'));
      const runsDirectory = join(projectDir, '.qoder-orch', 'runs');
      const runId = 'disk-full-run';
      disk.under = runsDirectory;
      const { orchestrator } = orchestratorFor(projectDir, runId);
      let stateBefore = '';
      orchestrator.on('task-end', (event: EventEnvelope<'task-end'>) => {
        if (disk.isFull || event.result.status !== 'completed') return;
        stateBefore = readFileSync(join(runsDirectory, runId, 'state.json'), 'utf8');
        disk.isFull = true;
      });
      const summary = await orchestrator.run('Write the files').finally(() => {
        disk.isFull = false;
      });
      expect(summary.status).toBe('failed');
      expect(summary.error?.code).toBe('RUN_STORE_ERROR');
      expect(summary.error?.message).toMatch(/no space left/);
      const runDirectory = join(runsDirectory, runId);
      // No half-written state: the file parses and is the one from before the disk filled up; no temporary files.
      const stateText = readFileSync(join(runDirectory, 'state.json'), 'utf8');
      expect(() => RunStateSchema.parse(JSON.parse(stateText))).not.toThrow();
      expect(stateText).toBe(stateBefore);
      expect(readdirSync(runDirectory).filter((name) => name.endsWith('.tmp'))).toEqual([]);

      // Space is back: the run resumes and completes, with every task's work.
      const resumed = await orchestratorFor(projectDir).orchestrator.resume(runId);
      expect(resumed.status, JSON.stringify(resumed.error)).toBe('met');
      await new FileRunStore({ directory: runsDirectory }).readEvents(runId);
      let dataLost = 0;
      for (const task of TASKS) if (!existsSync(join(projectDir, 'src', `${task.id}.txt`))) dataLost += 1;
      return { dataLost };
    });
  });
});
