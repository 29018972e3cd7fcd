import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '@qoder-orch/spec';
import { recordedRun } from '../test/replay-fixture';
import { CodexEventParser } from './codex-event-parser';
import { interpretCodexRun } from './interpret-codex-run';

function replay(file: string) {
  const { lines, process } = recordedRun(file);
  const events: AgentEvent[] = [];
  const parser = new CodexEventParser({ onEvent: (event) => events.push(event) });
  for (const line of lines) parser.push(line);
  const failure = interpretCodexRun({ providerId: 'codex-cli', summary: parser.summary(), process, secrets: [], installHint: 'i', authHint: 'a' });
  return { events, summary: parser.summary(), failure };
}

describe('Codex JSONL parsing of recorded real outputs (codex-cli 0.169.0)', () => {
  it('reads a tool run: command events, the final message, usage and thread id', () => {
    const { events, summary, failure } = replay('codex-json-success-tool.ndjson');
    expect(failure).toBeUndefined();
    expect(summary.texts.at(-1)).toBe('Created made.txt.');
    expect(summary.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(summary.threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.map((event) => event.type)).toEqual(['status', 'status', 'tool-call', 'tool-result', 'text']);
    expect(events[2]).toMatchObject({ toolName: 'command_execution', input: { command: expect.stringContaining('printf made > made.txt') } });
    expect(events[3]).toMatchObject({ isError: false });
  });

  it.each([
    ['codex-json-unauthorized.ndjson', 'AUTH', 401, false],
    ['codex-json-rate-limited.ndjson', 'RATE_LIMITED', 429, true],
  ] as const)('classifies %s as %s', (file, code, status, isRetryable) => {
    const { failure } = replay(file);
    expect(failure).toMatchObject({ code, apiStatus: status, isRetryable, exitCode: 1 });
  });

  it('knows when a command is running (silence is not a stall then)', () => {
    const parser = new CodexEventParser();
    parser.push('{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"make test","status":"in_progress"}}');
    expect(parser.hasPendingToolCalls()).toBe(true);
    parser.push('{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"make test","aggregated_output":"ok","exit_code":0,"status":"completed"}}');
    expect(parser.hasPendingToolCalls()).toBe(false);
  });

  it('reports reconnect attempts as retry events', () => {
    const events: AgentEvent[] = [];
    const parser = new CodexEventParser({ onEvent: (event) => events.push(event) });
    parser.push('{"type":"error","message":"Reconnecting... 2/5 (unexpected status 503 Service Unavailable)"}');
    expect(events).toEqual([{ type: 'retry', attempt: 2, maxRetries: 5, errorStatus: 503 }]);
    expect(parser.summary().failureMessage).toBeUndefined();
  });

  it('is BAD_OUTPUT when it exits 0 without a completed turn', () => {
    const { process } = recordedRun('codex-json-success-tool.ndjson');
    const failure = interpretCodexRun({ providerId: 'codex-cli', summary: new CodexEventParser().summary(), process, secrets: [], installHint: 'i', authHint: 'a' });
    expect(failure?.code).toBe('BAD_OUTPUT');
  });
});

describe('Codex usage limit', () => {
  it("turns a failed turn with codex's usage-limit wording into USAGE_LIMIT with the reset", () => {
    // The event shapes of the recorded codex-json-rate-limited run; the wording is codex's (openai/codex #3899).
    const parser = new CodexEventParser();
    for (const line of [
      '{"type":"thread.started","thread_id":"01a213ee-f92c-7662-a28c-1f64190d94ef"}',
      '{"type":"turn.started"}',
      '{"type":"turn.failed","error":{"message":"You\'ve hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again in 2 hours 13 minutes."}}',
    ]) {
      parser.push(line);
    }
    const before = Date.now();
    const failure = interpretCodexRun({ providerId: 'codex-cli', summary: parser.summary(), process: recordedRun('codex-json-rate-limited.ndjson').process, secrets: [], installHint: 'i', authHint: 'a' });
    expect(failure).toMatchObject({ code: 'USAGE_LIMIT', isRetryable: false });
    expect(failure?.resetsAt?.getTime()).toBeGreaterThanOrEqual(before + (2 * 60 + 13) * 60_000);
  });
});
