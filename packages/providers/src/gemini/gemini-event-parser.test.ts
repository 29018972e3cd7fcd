import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '@qoder-orch/spec';
import { recordedRun } from '../test/replay-fixture';
import { GeminiEventParser } from './gemini-event-parser';
import { interpretGeminiRun } from './interpret-gemini-run';

function replay(file: string) {
  const { lines, process } = recordedRun(file);
  const events: AgentEvent[] = [];
  const parser = new GeminiEventParser({ onEvent: (event) => events.push(event) });
  for (const line of lines) parser.push(line);
  const failure = interpretGeminiRun({ providerId: 'gemini-cli', summary: parser.summary(), process, secrets: [], installHint: 'i', authHint: 'a' });
  return { events, summary: parser.summary(), failure };
}

describe('Gemini stream-json parsing of recorded real outputs (gemini-cli 0.61.0)', () => {
  it('reads a tool run: tool events, the answer after the tool, usage and session id', () => {
    const { events, summary, failure } = replay('gemini-stream-json-success-tool.ndjson');
    expect(failure).toBeUndefined();
    expect(summary.text).toBe('Wrote notes.md.');
    expect(summary.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(summary.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.map((event) => event.type)).toEqual(['status', 'tool-call', 'tool-result', 'text']);
    expect(events[1]).toMatchObject({ toolName: 'write_file', input: { file_path: 'notes.md' } });
  });

  it('classifies a 401 (exit 145, status error) as AUTH', () => {
    const { failure } = replay('gemini-stream-json-unauthorized.ndjson');
    expect(failure).toMatchObject({ code: 'AUTH', apiStatus: 401, isRetryable: false, exitCode: 145 });
    expect(failure?.message).toContain('API key not valid');
  });

  it('knows when a tool call is running (silence is not a stall then)', () => {
    const parser = new GeminiEventParser();
    parser.push('{"type":"tool_use","tool_name":"run_shell_command","tool_id":"t1","parameters":{"command":"make"}}');
    expect(parser.hasPendingToolCalls()).toBe(true);
    parser.push('{"type":"tool_result","tool_id":"t1","status":"success","output":"ok"}');
    expect(parser.hasPendingToolCalls()).toBe(false);
  });

  it('redacts secrets from tool inputs', () => {
    const events: AgentEvent[] = [];
    const parser = new GeminiEventParser({ onEvent: (event) => events.push(event), redact: (text) => text.replaceAll('s3cret', '[REDACTED]') });
    parser.push('{"type":"tool_use","tool_name":"run_shell_command","tool_id":"t1","parameters":{"command":"echo s3cret"}}');
    expect(events[0]).toMatchObject({ input: { command: 'echo [REDACTED]' } });
  });
});

describe('Gemini usage limit', () => {
  it("turns an error result with gemini's quota wording into USAGE_LIMIT with the reset", () => {
    // The result shape of the recorded unauthorized run; the wording is gemini-cli's TerminalQuotaError
    // (recorded in ai-supervisor-foundry/foundry src/infrastructure/connectors/constants/stubs/responses/geminiStub/default.ts).
    const parser = new GeminiEventParser();
    parser.push('{"type":"init","timestamp":"2026-11-25T18:19:24.073Z","session_id":"4d428eda-b321-4d34-a2a5-5f31e4d8a4c6","model":"gemini-2.5-pro"}');
    parser.push(
      '{"type":"result","timestamp":"2026-11-25T18:19:24.146Z","status":"error","error":{"type":"unknown","message":"[API Error: You have exhausted your capacity on this model. Your quota will reset after 2h52m39s.]"},"stats":{"total_tokens":0,"input_tokens":0,"output_tokens":0}}',
    );
    const before = Date.now();
    const failure = interpretGeminiRun({ providerId: 'gemini-cli', summary: parser.summary(), process: recordedRun('gemini-stream-json-unauthorized.ndjson').process, secrets: [], installHint: 'i', authHint: 'a' });
    expect(failure).toMatchObject({ code: 'USAGE_LIMIT', isRetryable: false });
    expect(failure?.resetsAt?.getTime()).toBeGreaterThanOrEqual(before + (2 * 3600 + 52 * 60 + 39) * 1000);
  });
});
