import { describe, expect, it } from 'vitest';
import { branchOf, jobIdOf, TaskJobResultSchema, TaskJobSchema } from './task-job';

const job = {
  runId: '20261202-004000-ab12cd',
  taskId: 'api',
  attempt: 2,
  repositoryUrl: '/srv/repo.git',
  baseRef: 'refs/qoder-orch/base/20261202-004000-ab12cd/api/2',
  baseCommit: 'a'.repeat(40),
  branch: 'qoder-orch/20261202-004000-ab12cd/api/2',
  prompt: 'Do it',
  providerName: 'claude',
};

describe('task jobs', () => {
  it('names the job and branch by run, task and attempt (no `:`, which BullMQ refuses in ids)', () => {
    expect(jobIdOf(job)).toBe('20261202-004000-ab12cd/api/2');
    expect(branchOf(job)).toBe('qoder-orch/20261202-004000-ab12cd/api/2');
    expect(jobIdOf(job)).not.toContain(':');
  });

  it('accepts data only: unknown fields (an env, a key) and ref-unsafe ids are refused', () => {
    expect(TaskJobSchema.parse(job)).toEqual(job);
    expect(TaskJobSchema.safeParse({ ...job, env: { ANTHROPIC_API_KEY: 'x' } }).success).toBe(false);
    expect(TaskJobSchema.safeParse({ ...job, taskId: '../x' }).success).toBe(false);
    expect(TaskJobSchema.safeParse({ ...job, baseCommit: 'HEAD' }).success).toBe(false);
  });

  it('reads a worker’s answer as a success with a full commit id or a failure with a code', () => {
    expect(TaskJobResultSchema.safeParse({ isOk: true, commit: 'b'.repeat(40), summary: 's', usage: { inputTokens: 1, outputTokens: 2 }, durationMs: 3, worker: 'w' }).success).toBe(true);
    expect(TaskJobResultSchema.safeParse({ isOk: true, commit: 'main', summary: 's', usage: { inputTokens: 1, outputTokens: 2 }, durationMs: 3, worker: 'w' }).success).toBe(false);
    expect(TaskJobResultSchema.safeParse({ isOk: false, code: 'REMOTE_PUSH_FAILED', message: 'm', isRetryable: true, worker: 'w' }).success).toBe(true);
  });
});
