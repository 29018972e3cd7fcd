import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '@qoder-orch/spec';
import { ClaudeStreamParser } from '../index';
import type { AgentProcessResult } from '../process/run-agent-process';
import { processResultOf } from '../test/replay-fixture';
import { interpretClaudeResult } from './interpret-claude-result';

const fixture = (name: string) => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');
const meta = (name: string) => JSON.parse(fixture(`${name}.meta.json`)) as { exitCode: number | null; stderr: string };

function processResult(overrides: Partial<AgentProcessResult> = {}): AgentProcessResult {
  return processResultOf({ pid: 1234, durationMs: 10, ...overrides });
}

/** Replays a recorded run through the parser and the interpretation, as the provider does. */
function replay(name: string, options: { isDenialFailure?: boolean; secrets?: string[] } = {}) {
  const extension = name.startsWith('claude-stream-json') ? 'ndjson' : 'json';
  const stdout = fixture(`${name}.${extension}`);
  const events: AgentEvent[] = [];
  const secrets = options.secrets ?? [];
  const parser = new ClaudeStreamParser({ onEvent: (event) => events.push(event), redact: (text) => secrets.reduce((acc, secret) => acc.split(secret).join('[REDACTED]'), text) });
  for (const line of stdout.split('\n')) parser.push(line);
  const recorded = meta(name);
  const outcome = interpretClaudeResult({
    providerId: 'claude-cli',
    summary: parser.summary(),
    process: processResult({ exitCode: recorded.exitCode ?? undefined, stdout, outputTail: stdout.slice(-2000), stderrTail: recorded.stderr }),
    secrets,
    isDenialFailure: options.isDenialFailure ?? true,
    installHint: 'install it',
    authHint: 'log in',
  });
  return { events, outcome, summary: parser.summary() };
}

describe('Claude stream-json parsing of recorded real outputs', () => {
  it('turns a successful tool run into events, usage, cost and the session id', () => {
    const { events, outcome, summary } = replay('claude-stream-json-success');
    expect(outcome.isSuccess).toBe(true);
    if (!outcome.isSuccess) return;
    expect(outcome.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(outcome.costUsd).toBeCloseTo(0.00035);
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.result.result).toBe('Wrote hello.txt.');
    expect(summary.version).toBe('2.1.197');
    expect(events.map((event) => event.type)).toEqual(['status', 'text', 'tool-call', 'tool-result', 'text']);
    const call = events.find((event) => event.type === 'tool-call');
    expect(call).toMatchObject({ toolName: 'Write', input: { file_path: '/tmp/repo/hello.txt', content: 'hello\n' } });
    const result = events.find((event) => event.type === 'tool-result');
    expect(result).toMatchObject({ isError: false, toolCallId: (call as { toolCallId: string }).toolCallId });
  });

  it('reports a silently denied Write (exit 0, subtype success) as a PERMISSION_DENIED failure', () => {
    const { outcome, events } = replay('claude-stream-json-permission-denied');
    expect(outcome.isSuccess).toBe(false);
    if (outcome.isSuccess) return;
    expect(outcome.error.code).toBe('PERMISSION_DENIED');
    expect(outcome.error.isRetryable).toBe(false);
    expect(outcome.error.message).toContain('Write');
    expect(outcome.error.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(events.some((event) => event.type === 'tool-result' && event.isError)).toBe(true);
  });

  it('lets a completion ignore permission denials', () => {
    expect(replay('claude-stream-json-permission-denied', { isDenialFailure: false }).outcome.isSuccess).toBe(true);
  });

  it.each(['claude-stream-json-max-turns', 'claude-json-max-turns'])('reports %s as MAX_TURNS with the spend so far', (name) => {
    const { outcome } = replay(name);
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error.code).toBe('MAX_TURNS');
    expect(outcome.error.isRetryable).toBe(false);
    expect(outcome.error.costUsd).toBeCloseTo(0.000175);
    expect(outcome.error.exitCode).toBe(1);
    expect(outcome.error.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads a usage limit from the rate_limit_event and the result text (claude 2.1.197, subscriber, against the fake server)', () => {
    const { outcome, events, summary } = replay('claude-stream-json-usage-limit');
    const resetsAt = new Date((meta('claude-stream-json-usage-limit') as unknown as { resetsAt: number }).resetsAt * 1000);
    expect(summary.usageLimit).toEqual({ resetsAt });
    expect(events).toContainEqual({ type: 'status', message: `usage limit reached; resets at ${resetsAt.toISOString()}` });
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error).toMatchObject({ code: 'USAGE_LIMIT', isRetryable: false, apiStatus: 429, resetsAt });
    expect(outcome.error.message).toMatch(/You've hit your session limit · resets \d/);
  });

  it('succeeds after the CLI retried a 429 itself, and reports the retry as an event', () => {
    const { outcome, events } = replay('claude-stream-json-rate-limited-then-success');
    expect(outcome.isSuccess).toBe(true);
    expect(events).toContainEqual({ type: 'retry', attempt: 1, maxRetries: 2, delayMs: 1000, errorStatus: 429 });
  });

  it.each([
    ['claude-stream-json-overloaded', 'OVERLOADED', 529, true],
    ['claude-json-overloaded', 'OVERLOADED', 529, true],
    ['claude-stream-json-unauthorized', 'AUTH', 401, false],
    ['claude-json-unauthorized', 'AUTH', 401, false],
    ['claude-json-rate-limited', 'RATE_LIMITED', 429, true],
    ['claude-json-server-error', 'API_ERROR', 500, true],
  ] as const)('classifies %s (is_error with subtype "success") as %s', (name, code, status, isRetryable) => {
    const { outcome } = replay(name);
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error.code).toBe(code);
    expect(outcome.error.apiStatus).toBe(status);
    expect(outcome.error.isRetryable).toBe(isRetryable);
    expect(outcome.error.fix).toBeTruthy();
  });

  it('takes the retry delay a rate limit message names', () => {
    const { outcome } = replay('claude-json-rate-limited');
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error.retryAfterMs).toBe(30_000);
  });

  it('keeps the structured output of a --json-schema run', () => {
    const { outcome } = replay('claude-json-structured-output');
    if (!outcome.isSuccess) throw outcome.error;
    expect(outcome.result.structured_output).toEqual({ ok: true, items: ['a'] });
  });

  it('redacts secret values from events and failure messages', () => {
    const { events } = replay('claude-stream-json-success', { secrets: ['hello.txt'] });
    expect(JSON.stringify(events)).not.toContain('hello.txt');
    expect(JSON.stringify(events)).toContain('[REDACTED]');
    const failed = replay('claude-json-unauthorized', { secrets: ['Invalid API key'] });
    if (failed.outcome.isSuccess) throw new Error('expected a failure');
    expect(failed.outcome.error.message).not.toContain('Invalid API key');
    expect(failed.outcome.error.outputTail).not.toContain('Invalid API key');
  });
});

describe('Claude output without a usable result', () => {
  const interpret = (lines: string[], process: Partial<AgentProcessResult>) => {
    const parser = new ClaudeStreamParser();
    for (const line of lines) parser.push(line);
    return interpretClaudeResult({ providerId: 'claude-cli', summary: parser.summary(), process: processResult(process), secrets: [], isDenialFailure: true, installHint: 'i', authHint: 'a' });
  };

  it('is CRASHED when the process died without a result', () => {
    const outcome = interpret(['not json at all'], { exitCode: 1, stderrTail: 'Segmentation fault' });
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error.code).toBe('CRASHED');
    expect(outcome.error.message).toContain('Segmentation fault');
  });

  it('is BAD_OUTPUT when it exited 0 without a result, or with a result of an unknown shape', () => {
    const silent = interpret([], { exitCode: 0 });
    const strange = interpret(['{"type":"result","subtype":42}'], { exitCode: 0 });
    expect(silent.isSuccess || silent.error.code).toBe('BAD_OUTPUT');
    expect(strange.isSuccess || strange.error.code).toBe('BAD_OUTPUT');
  });

  it('is TIMEOUT when our timeout killed it, keeping the session id for a resume', () => {
    const outcome = interpret(['{"type":"system","subtype":"init","session_id":"s-1","model":"m"}'], { exitCode: undefined, signal: 'SIGTERM', isTimedOut: true });
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error).toMatchObject({ code: 'TIMEOUT', isTimedOut: true, isRetryable: true, sessionId: 's-1', signal: 'SIGTERM' });
  });

  it('fails on terminal_reason api_error even with subtype success (newer Claude Code versions)', () => {
    const line = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: true,
      terminal_reason: 'api_error',
      api_error_status: 529,
      result: 'API Error: 529 Overloaded',
      session_id: 's',
      usage: { input_tokens: 0, output_tokens: 0 },
    });
    const outcome = interpret([line], { exitCode: 1 });
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error).toMatchObject({ code: 'OVERLOADED', apiStatus: 529, isRetryable: true });
  });

  it('fails on a non-completed terminal_reason even when is_error is false', () => {
    const line = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, terminal_reason: 'max_turns', result: '' });
    const outcome = interpret([line], { exitCode: 0 });
    expect(outcome.isSuccess || outcome.error.code).toBe('MAX_TURNS');
  });

  it('is ABORTED, not retryable, when the caller canceled', () => {
    const outcome = interpret([], { exitCode: undefined, signal: 'SIGTERM', isCanceled: true });
    if (outcome.isSuccess) throw new Error('expected a failure');
    expect(outcome.error).toMatchObject({ code: 'ABORTED', isCanceled: true, isRetryable: false });
  });
});
