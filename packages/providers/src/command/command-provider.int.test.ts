import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OrchestratorError } from '@qoder-orch/spec';
import { createCommandProvider } from '../index';
import { failureOf, installQoderStub } from '../test/index';

const directory = mkdtempSync(join(tmpdir(), 'command-provider-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A tiny agent: prints its arguments and stdin as JSON, fails when told to. */
const agent = join(directory, 'tiny-agent');
writeFileSync(
  agent,
  `#!/usr/bin/env node
if (process.argv.includes('--version')) { console.log('tiny-agent 0.3.1'); process.exit(0); }
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  if (input.includes('FAIL')) { console.error('tiny-agent: rate limit reached, retry after 7 seconds ' + (process.env.TINY_TOKEN ?? '')); process.exit(2); }
  console.log(JSON.stringify({ args: process.argv.slice(2), input, cwd: process.cwd(), token: process.env.TINY_TOKEN === undefined ? 'absent' : 'present' }));
});
`,
);
chmodSync(agent, 0o755);

describe('command provider', () => {
  const provider = createCommandProvider({ executable: agent, args: ['run', '--task', '{taskId}', '--mode={permissionMode}', '{systemPrompt}'], env: { TINY_TOKEN: 'tiny-secret-value' } });

  it('fills the argument template without splitting arguments, and sends the prompt on stdin', async () => {
    const prompt = 'say "hi" $(whoami) `id`\nünï';
    const result = await provider.doRunTask({ taskId: 't1', prompt, cwd: directory, systemPrompt: 'two words', permissionMode: 'plan' });
    const seen = JSON.parse(result.summary) as { args: string[]; input: string; token: string };
    expect(seen.args).toEqual(['run', '--task', 't1', '--mode=plan', 'two words']);
    expect(seen.input).toBe(prompt);
    expect(seen.token).toBe('present');
  });

  it('classifies a failure from stderr and redacts the secret', async () => {
    const error = await failureOf(provider.doRunTask({ taskId: 't2', prompt: 'FAIL', cwd: directory }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', exitCode: 2, retryAfterMs: 7_000, isRetryable: true });
    expect(error.message).not.toContain('tiny-secret-value');
  });

  it('extracts JSON for a completion and checks the version', async () => {
    const json = createCommandProvider({ executable: agent, completeArgs: ['complete'] });
    const result = await json.doComplete({ prompt: 'plan', jsonSchema: { type: 'object' } });
    expect(result.json).toMatchObject({ args: ['complete'] });
    expect(await json.doCheck!({})).toMatchObject({ installed: true, version: '0.3.1' });
  });

  it('reads Claude-shaped output when told to (here: the Qoder stub)', async () => {
    const stub = installQoderStub(mkdtempSync(join(directory, 'stub-')));
    const claudeShaped = createCommandProvider({ executable: stub, args: ['-p', '--output-format', 'json', '--', '{prompt}'], promptInput: 'argument', outputFormat: 'claude-json', env: { QODER_PERSONAL_ACCESS_TOKEN: 'pat-123456789' } });
    const result = await claudeShaped.doRunTask({ taskId: 't3', prompt: 'hello there', cwd: directory });
    expect(result).toMatchObject({ summary: 'Done: hello there', usage: { inputTokens: 120, outputTokens: 40 }, costUsd: 0.0042 });
  });

  it('rejects a template that cannot carry the prompt, and a missing executable', async () => {
    expect(() => createCommandProvider({ executable: agent, promptInput: 'argument', args: ['run'] })).toThrow(OrchestratorError);
    const missing = createCommandProvider({ executable: join(directory, 'nope') });
    expect((await failureOf(missing.doRunTask({ taskId: 't4', prompt: 'x', cwd: directory }))).code).toBe('NOT_INSTALLED');
  });
});
