import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClaudeCli } from '../index';

const directory = mkdtempSync(join(tmpdir(), 'claude-env-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A stand-in `claude` that answers with what it was given: its argv, stdin and environment. */
const fakeClaude = join(directory, 'claude');
writeFileSync(
  fakeClaude,
  `#!/usr/bin/env node
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const seen = { argv: process.argv.slice(2), input, env: process.env, configDirExists: Boolean(process.env.CLAUDE_CONFIG_DIR) && require('node:fs').existsSync(process.env.CLAUDE_CONFIG_DIR) };
  console.log(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: JSON.stringify(seen), session_id: 's', usage: { input_tokens: 1, output_tokens: 1 } }));
});
`,
);
chmodSync(fakeClaude, 0o755);

const saved = { ...process.env };
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

interface Seen {
  argv: string[];
  input: string;
  env: Record<string, string>;
  configDirExists: boolean;
}

describe('what the Claude provider gives the claude process', () => {
  it('passes an allow-listed environment, secrets only through it, and the prompt on stdin', async () => {
    process.env['GITHUB_TOKEN'] = 'ghp_should_not_leak_to_the_agent_000';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'aws-should-not-leak';
    process.env['ANTHROPIC_API_KEY'] = 'sk-ant-from-the-parent-environment';
    process.env['LC_ALL'] = 'C.UTF-8';
    const provider = createClaudeCli({ executable: fakeClaude, env: { MY_SETTING: 'from-settings' }, maxRetries: 1, apiTimeoutMs: 9_000, isolateConfig: true });
    const prompt = 'the prompt with a "quote" and sk-ant-from-the-parent-environment';
    const result = await provider.doRunTask({ taskId: 't', prompt, cwd: directory, env: { FROM_OPTIONS: 'yes' } });
    // The summary is redacted: the parent's API key never comes back out.
    expect(result.summary).not.toContain('sk-ant-from-the-parent-environment');
    const seen = JSON.parse(result.summary.replaceAll('[REDACTED]', 'REDACTED')) as Seen;
    expect(seen.input).toBe('the prompt with a "quote" and REDACTED');
    expect(seen.argv.join(' ')).not.toContain('quote');
    expect(seen.env['GITHUB_TOKEN']).toBeUndefined();
    expect(seen.env['AWS_SECRET_ACCESS_KEY']).toBeUndefined();
    expect(seen.env).toMatchObject({ ANTHROPIC_API_KEY: 'REDACTED', LC_ALL: 'C.UTF-8', MY_SETTING: 'REDACTED', FROM_OPTIONS: 'yes', CLAUDE_CODE_MAX_RETRIES: '1', API_TIMEOUT_MS: '9000', DISABLE_AUTOUPDATER: '1' });
    expect(seen.configDirExists).toBe(true);
    expect(existsSync(seen.env['CLAUDE_CONFIG_DIR']!)).toBe(false);
    expect(seen.argv).toEqual(expect.arrayContaining(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--session-id']));
  });

  it('passes cloud credentials only when told to use that cloud', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAEXAMPLE';
    const seenBy = async (env: Record<string, string>) => JSON.parse((await createClaudeCli({ executable: fakeClaude, env }).doRunTask({ taskId: 't', prompt: 'x', cwd: directory })).summary) as Seen;
    // Present (and, being a secret, redacted from what comes back) only with Bedrock on.
    expect((await seenBy({ CLAUDE_CODE_USE_BEDROCK: '1' })).env['AWS_ACCESS_KEY_ID']).toBe('[REDACTED]');
    expect((await seenBy({})).env['AWS_ACCESS_KEY_ID']).toBeUndefined();
  });

  it('says clearly when the working directory does not exist (not "not installed")', async () => {
    const error = await createClaudeCli({ executable: fakeClaude })
      .doRunTask({ taskId: 't', prompt: 'x', cwd: join(directory, 'gone') })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', isRetryable: false, message: expect.stringContaining('does not exist') });
  });
});
