import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { reply } from '@qoder-orch/providers/test';
import { type ClaudeOrchestration, type TaskTurnHandler, runClaudeOrchestration, writesItsFile } from './fixtures/claude-orchestration';
import { holds } from './record-case';

const runs: ClaudeOrchestration[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.cleanup();
});

const RESET_AHEAD_MS = 4000;

/** Files of the given tasks that are missing or wrong in the project. */
function missingFiles(projectDir: string, ids: readonly string[]): number {
  let missing = 0;
  for (const id of ids) {
    try {
      if (readFileSync(join(projectDir, 'src', `${id}.txt`), 'utf8') !== `${id} done\n`) missing += 1;
    } catch {
      missing += 1;
    }
  }
  return missing;
}

/**
 * The fake server answers task `limited`'s first request with a subscription usage limit that
 * resets a few seconds ahead (429, `anthropic-ratelimit-unified-status: rejected`), as the API
 * does; the real claude, logged in as a subscriber, reports it as "You've hit your session
 * limit · resets …" and a `rate_limit_event`. Every request is stamped with its arrival time.
 */
function limitOnce(limited: string, onOther: TaskTurnHandler = writesItsFile()): { handler: TaskTurnHandler; limitedAt: () => number; arrivals: Array<{ taskId: string; at: number }> } {
  let limitedAt = 0;
  const arrivals: Array<{ taskId: string; at: number }> = [];
  const good = writesItsFile();
  const handler: TaskTurnHandler = (input) => {
    arrivals.push({ taskId: input.taskId, at: Date.now() });
    if (input.taskId === limited && limitedAt === 0) {
      limitedAt = Date.now();
      return reply.usageLimit(new Date(limitedAt + RESET_AHEAD_MS));
    }
    return input.taskId === limited ? good(input) : onOther(input);
  };
  return { handler, limitedAt: () => limitedAt, arrivals };
}

describe.skipIf(!findClaudeExecutable())('usage limit mid-run, real claude against the fake server', () => {
  it('wait: pauses the provider, lets the running task finish, starts nothing until the reset, continues by itself; nothing finished is rerun', async () => {
    await holds('usage limits', 'limit mid-run, wait for the reset', async () => {
      const good = writesItsFile();
      // `slow` is running when the limit hits: it runs a command first, then writes its file.
      const slowThenGood: TaskTurnHandler = (input) => {
        if (input.taskId === 'slow' && input.request.turnIndex === 0) return reply.bash('sleep 2');
        if (input.taskId === 'slow' && input.request.turnIndex === 1) return reply.write(join(input.cwd, 'src', 'slow.txt'), 'slow done\n');
        return good(input);
      };
      const script = limitOnce('limited', slowThenGood);
      const run = await runClaudeOrchestration({
        isSubscriber: true,
        tasks: [
          { id: 'slow', files: ['src/slow.txt'] },
          { id: 'limited', files: ['src/limited.txt'] },
          { id: 'later', files: ['src/later.txt'] },
        ],
        config: { execution: { maxParallel: 2 }, retry: { maxAttempts: 1, usageLimitMarginSeconds: 1 } },
        onTask: script.handler,
      });
      runs.push(run);
      const paused = run.events.filter((event): event is EventEnvelope<'run-paused'> => event.type === 'run-paused');
      const resumed = run.events.filter((event): event is EventEnvelope<'run-resumed'> => event.type === 'run-resumed');
      expect(paused).toHaveLength(1);
      expect(resumed).toHaveLength(1);
      const pause = paused[0]!;
      expect(pause).toMatchObject({ providerId: 'claude-cli', onUsageLimit: 'wait' });
      // The reset the CLI reported (epoch seconds of the API's header) plus the 1 s margin.
      const resetsAt = Date.parse(pause.resetsAt!);
      expect(Math.abs(resetsAt - (script.limitedAt() + RESET_AHEAD_MS))).toBeLessThan(1000);
      expect(Date.parse(pause.resumesAt)).toBe(resetsAt + 1000);
      expect(pause.reason).toMatch(/usage limit/);
      // No task started while paused, and no model request of a task arrived before the reset.
      const pausedAt = Date.parse(pause.timestamp);
      const resumedAt = Date.parse(resumed[0]!.timestamp);
      expect(resumedAt).toBeGreaterThanOrEqual(Date.parse(pause.resumesAt));
      const startsWhilePaused = run.events.filter((event) => event.type === 'task-start' && Date.parse(event.timestamp) > pausedAt && Date.parse(event.timestamp) < resumedAt);
      expect(startsWhilePaused).toEqual([]);
      const afterLimit = script.arrivals.filter((arrival) => arrival.at > script.limitedAt() && arrival.taskId !== 'slow');
      expect(afterLimit.length).toBeGreaterThan(0);
      for (const arrival of afterLimit) expect(arrival.at).toBeGreaterThanOrEqual(Date.parse(pause.resumesAt));
      // The limited attempt was not a failure nor a retry (maxAttempts 1 would have failed it).
      expect(run.events.filter((event) => event.type === 'task-retry')).toEqual([]);
      expect(run.summary.status).toBe('met');
      expect(run.summary.tasks).toMatchObject({ total: 3, completed: 3, failed: 0 });
      // 0 finished tasks rerun: `slow` and `later` ran once, `limited` once more after the reset.
      expect(run.attempts.get('slow')).toBe(1);
      expect(run.attempts.get('later')).toBe(1);
      expect(run.attempts.get('limited')).toBe(2);
      return { dataLost: missingFiles(run.projectDir, ['slow', 'limited', 'later']) };
    });
  }, 120_000);

  it('exit: stops resumable with the reset time in the state; --resume waits for it, reruns nothing finished', async () => {
    await holds('usage limits', 'limit mid-run, exit and resume', async () => {
      const script = limitOnce('limited');
      const run = await runClaudeOrchestration({
        isSubscriber: true,
        tasks: [
          { id: 'first', files: ['src/first.txt'] },
          { id: 'limited', files: ['src/limited.txt'], dependsOn: ['first'] },
          { id: 'last', files: ['src/last.txt'], dependsOn: ['limited'] },
        ],
        config: { retry: { onUsageLimit: 'exit', usageLimitMarginSeconds: 1 } },
        onTask: script.handler,
      });
      runs.push(run);
      expect(run.summary.stopReason).toBe('usage-limit');
      const state = JSON.parse(readFileSync(join(run.runDirectory, 'state.json'), 'utf8')) as { status: string; usageLimits?: Array<{ providerId: string; resumesAt: string }> };
      const journal = readFileSync(join(run.runDirectory, 'state-changes.ndjson'), 'utf8');
      // The pause is in the stored state (the snapshot or the journal of changes after it).
      expect(JSON.stringify(state) + journal).toContain('usageLimits');
      const paused = run.events.find((event): event is EventEnvelope<'run-paused'> => event.type === 'run-paused');
      expect(paused).toMatchObject({ onUsageLimit: 'exit' });
      const resumesAt = Date.parse(paused!.resumesAt);

      const resumed = await run.resume();
      const again = resumed.events.find((event): event is EventEnvelope<'run-paused'> => event.type === 'run-paused');
      expect(again?.resumesAt).toBe(paused!.resumesAt);
      expect(resumed.events.some((event) => event.type === 'run-resumed')).toBe(true);
      // Nothing of the resumed session reached the model before the reset time.
      const afterStop = script.arrivals.filter((arrival) => arrival.at > script.limitedAt());
      expect(afterStop.length).toBeGreaterThan(0);
      for (const arrival of afterStop) expect(arrival.at).toBeGreaterThanOrEqual(resumesAt);
      expect(resumed.summary.status).toBe('met');
      expect(resumed.summary.tasks).toMatchObject({ total: 3, completed: 3, failed: 0 });
      // `first` finished before the stop and was not run again.
      expect(run.attempts.get('first')).toBe(1);
      expect(run.attempts.get('limited')).toBe(2);
      expect(run.attempts.get('last')).toBe(1);
      return { dataLost: missingFiles(run.projectDir, ['first', 'limited', 'last']) };
    });
  }, 120_000);
});
