import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { reply } from '@qoder-orch/providers/test';
import { type ClaudeOrchestration, runClaudeOrchestration, writesItsFile } from './fixtures/claude-orchestration';
import { holds } from './record-case';

const runs: ClaudeOrchestration[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.cleanup();
});

/**
 * A 429/529 storm across parallel tasks, with the real claude CLI told not to retry itself
 * (CLAUDE_CODE_MAX_RETRIES=0), so our orchestrator sees every one. One task runs a long command
 * (until the storm has been over for 10 s) so that it finishes after the orchestrator's
 * rate-limit cool-down (`retry.rate_limit_cooldown_seconds`, 6 s here): its success is what
 * restores the concurrency.
 */
describe.skipIf(!findClaudeExecutable())('rate-limit storm, real claude against the fake server', () => {
  it('backs off with jitter, lowers concurrency while limits last, restores it after, keeps partial results and completes', async () => {
    await holds('rate limits', '429/529 storm over parallel tasks', async () => {
      let stormLeft = 7;
      let lastLimitAt = Date.now();
      const statuses: number[] = [];
      const good = writesItsFile();
      const run = await runClaudeOrchestration({
        tasks: [
          { id: 'one', files: ['src/one.txt'] },
          { id: 'two', files: ['src/two.txt'] },
          { id: 'three', files: ['src/three.txt'] },
          { id: 'slow', files: ['src/slow.txt'] },
          { id: 'after', files: ['src/after.txt'], dependsOn: ['slow'] },
        ],
        config: { execution: { maxParallel: 3 }, retry: { maxAttempts: 8, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 800, rateLimitCooldownSeconds: 6 } },
        settings: { stallTimeoutMs: 20_000 },
        onTask: (input) => {
          const { request, taskId, cwd } = input;
          if (request.turnIndex === 0 && stormLeft > 0 && taskId !== 'slow') {
            stormLeft -= 1;
            const status = stormLeft % 2 === 0 ? 429 : 529;
            statuses.push(status);
            lastLimitAt = Date.now();
            return status === 429 ? reply.error(429, 'Rate limited by the fake server') : reply.overloaded();
          }
          if (taskId === 'slow') {
            // A long build: it keeps running commands until the storm has been over for longer
            // than the orchestrator's cool-down, then writes its file.
            if (stormLeft > 0 || Date.now() - lastLimitAt < 10_000) return reply.bash('sleep 2');
            if (!request.toolResults.some((result) => result.content.includes('File created'))) return reply.write(join(cwd, 'src', 'slow.txt'), 'slow done\n');
            return reply.text('Slow work done.');
          }
          return good(input);
        },
      });
      runs.push(run);
      const retries = run.events.filter((event): event is EventEnvelope<'task-retry'> => event.type === 'task-retry');
      const changes = run.events.filter((event): event is EventEnvelope<'concurrency-change'> => event.type === 'concurrency-change');

      expect(statuses.length).toBe(7);
      // Every limit was seen by the orchestrator and retried with a jittered, capped backoff.
      expect(retries.length).toBe(7);
      expect(new Set(retries.map((event) => event.error.code))).toEqual(new Set(['RATE_LIMITED', 'OVERLOADED']));
      for (const event of retries) {
        expect(event.delayMs).toBeGreaterThanOrEqual(50);
        expect(event.delayMs).toBeLessThanOrEqual(800);
      }
      expect(new Set(retries.map((event) => event.delayMs)).size).toBeGreaterThan(1);
      // Concurrency went down while limits lasted, and back up once they had stopped.
      const firstDown = changes.findIndex((event) => event.to < event.from);
      expect(firstDown).toBeGreaterThanOrEqual(0);
      expect(changes[firstDown]!.reason).toMatch(/RATE_LIMITED|OVERLOADED/);
      expect(Math.min(...changes.map((event) => event.to))).toBe(1);
      const up = changes.slice(firstDown).find((event) => event.to > event.from);
      expect(up?.reason).toMatch(/no rate limits/);
      // Partial results kept: each task ran once to success, none was redone after it had succeeded.
      expect(run.summary.status).toBe('met');
      expect(run.summary.tasks).toMatchObject({ total: 5, completed: 5, failed: 0 });
      for (const result of run.summary.results) {
        expect(result.status).toBe('completed');
        expect(run.attempts.get(result.taskId)).toBe(result.attempts);
      }
      let dataLost = 0;
      for (const id of ['one', 'two', 'three', 'slow', 'after']) {
        try {
          if (readFileSync(join(run.projectDir, 'src', `${id}.txt`), 'utf8') !== `${id} done\n`) dataLost += 1;
        } catch {
          dataLost += 1;
        }
      }
      return { dataLost };
    });
  }, 150_000);
});
