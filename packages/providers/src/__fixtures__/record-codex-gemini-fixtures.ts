/**
 * Records real Codex and Gemini CLI outputs against the fake servers, with the flags the
 * providers use. Run from the repository root:
 * `pnpm exec tsx packages/providers/src/__fixtures__/record-codex-gemini-fixtures.ts`
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { findExecutable } from '../process/find-executable';
import { type FakeCodexReply, type FakeGeminiReply, createFakeCodexServer, createFakeGeminiServer } from '../test/index';

const here = fileURLToPath(new URL('.', import.meta.url));

async function record(name: string, run: (repo: string, home: string) => Promise<{ stdout: string; stderr: string; exitCode: number | undefined; url: string }>) {
  const repo = mkdtempSync(join(tmpdir(), 'record-repo-'));
  const home = mkdtempSync(join(tmpdir(), 'record-home-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const result = await run(repo, home);
  const clean = (text: string) => text.replaceAll(repo, '/tmp/repo').replaceAll(home, '/tmp/home').replaceAll(result.url, 'http://127.0.0.1:PORT').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
  writeFileSync(join(here, `${name}.ndjson`), clean(result.stdout));
  writeFileSync(join(here, `${name}.meta.json`), `${JSON.stringify({ exitCode: result.exitCode ?? null, stderr: clean(result.stderr).slice(-2000) }, null, 2)}\n`);
  console.log(name, 'exit', result.exitCode, 'stdout bytes', result.stdout.length);
  rmSync(repo, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}

async function codex(name: string, replies: (index: number) => FakeCodexReply | string) {
  const executable = findExecutable(['codex']);
  if (!executable) throw new Error('codex is not installed');
  await record(name, async (repo, home) => {
    let count = 0;
    const server = await createFakeCodexServer({ handler: () => replies(count++) });
    const args = ['exec', '--json', '--skip-git-repo-check', '--color', 'never', '--sandbox', 'workspace-write', '-c', 'model_provider="qoder_orch"', '-c', `model_providers.qoder_orch={name="qoder-orch", base_url="${server.url}", env_key="FAKE_OPENAI_KEY", wire_api="responses", request_max_retries=0, stream_max_retries=0}`, '--model', 'gpt-fake', '-'];
    const result = await execa(executable, args, { cwd: repo, env: { PATH: process.env['PATH'] ?? '', HOME: home, CODEX_HOME: home, FAKE_OPENAI_KEY: 'fake-openai-key' }, extendEnv: false, input: '[qoder-orch:task rec] Create made.txt', reject: false, timeout: 60_000 });
    await server.close();
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode, url: server.url };
  });
}

async function gemini(name: string, replies: (hasFunctionResponse: boolean) => FakeGeminiReply | string) {
  const executable = findExecutable(['gemini']);
  if (!executable) throw new Error('gemini is not installed');
  await record(name, async (repo, home) => {
    const server = await createFakeGeminiServer({ handler: (request) => replies(request.hasFunctionResponse) });
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    const args = ['-p', '', '--output-format', 'stream-json', '--approval-mode', 'auto_edit', '--model', 'gemini-2.5-flash'];
    const result = await execa(executable, args, {
      cwd: repo,
      env: { PATH: process.env['PATH'] ?? '', HOME: home, GEMINI_API_KEY: 'fake-gemini-key', GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_CLI_TRUST_WORKSPACE: 'true', NO_COLOR: '1' },
      extendEnv: false,
      input: '[qoder-orch:task rec] Write notes.md',
      reject: false,
      timeout: 60_000,
    });
    await server.close();
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode, url: server.url };
  });
}

await codex('codex-json-success-tool', (index) => (index === 0 ? { type: 'function-call', name: 'exec_command', arguments: { cmd: 'printf made > made.txt' } } : 'Created made.txt.'));
await codex('codex-json-unauthorized', () => ({ type: 'error', status: 401, message: 'Incorrect API key provided' }));
await codex('codex-json-rate-limited', () => ({ type: 'error', status: 429, message: 'Rate limit reached. Please try again in 20s.' }));
await gemini('gemini-stream-json-success-tool', (hasResponse) => (hasResponse ? 'Wrote notes.md.' : { type: 'function-call', name: 'write_file', args: { file_path: 'notes.md', content: '# notes\n' } }));
await gemini('gemini-stream-json-unauthorized', () => ({ type: 'error', status: 401, message: 'API key not valid. Please pass a valid API key.' }));
