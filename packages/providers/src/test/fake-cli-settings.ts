import type { CodexCliSettings } from '../codex/codex-cli-provider';
import type { GeminiCliSettings } from '../gemini/gemini-cli-provider';
import { findExecutable } from '../process/find-executable';
import type { FakeCodexServer } from './fake-codex-server';
import type { FakeGeminiServer } from './fake-gemini-server';
import { scratchHome } from './scratch-home';

function required(name: string, packageName: string): string {
  const executable = findExecutable([name]);
  if (!executable) throw new Error(`${name} is not installed: add ${packageName} as a devDependency (the \`${name}\` bin was not found).`);
  return executable;
}

/**
 * Settings for `createCodexCli` that point the real `codex` at a fake Responses API: a custom
 * model provider with the server's base URL, a fake key, an isolated `CODEX_HOME` and `HOME`, no retries.
 */
export function fakeCodexCliSettings(server: FakeCodexServer): CodexCliSettings & { executable: string } {
  return {
    executable: required('codex', '@openai/codex'),
    baseUrl: server.url,
    apiKeyVariable: 'FAKE_OPENAI_KEY',
    // A temporary HOME: Codex runs commands in login shells, which would source the user's ~/.bashrc.
    env: { FAKE_OPENAI_KEY: 'fake-openai-key', HOME: scratchHome() },
    isolateConfig: true,
    maxRetries: 0,
    model: 'gpt-fake',
  };
}

/**
 * Settings for `createGeminiCli` that point the real `gemini` at a fake Gemini API: base URL,
 * a fake key, an isolated home with API-key auth selected, the workspace trusted.
 */
export function fakeGeminiCliSettings(server: FakeGeminiServer): GeminiCliSettings & { executable: string } {
  return {
    executable: required('gemini', '@google/gemini-cli'),
    env: { GEMINI_API_KEY: 'fake-gemini-key', GOOGLE_GEMINI_BASE_URL: server.url },
    isolateConfig: true,
    model: 'gemini-2.5-flash',
  };
}
