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
