import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OrchestratorError } from '@qoder-orch/spec';
import { createProvider } from '../index';

const directory = mkdtempSync(join(tmpdir(), 'create-provider-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const providerSource = (id: string) =>
  `{ specificationVersion: 'v1', providerId: ${JSON.stringify(id)}, doComplete: async () => ({ text: 'x', usage: { inputTokens: 0, outputTokens: 0 } }), doRunTask: async () => ({ summary: 'x', usage: { inputTokens: 0, outputTokens: 0 }, durationMs: 0 }) }`;

describe('createProvider', () => {
  it.each([
    ['qoder', 'qoder-cli'],
    ['qodercli', 'qoder-cli'],
    ['claude', 'claude-cli'],
    ['Claude-Code', 'claude-cli'],
    ['codex', 'codex-cli'],
    ['gemini', 'gemini-cli'],
  ])('resolves the name %s to %s', async (name, providerId) => {
    expect((await createProvider(name)).providerId).toBe(providerId);
  });

  it('builds a command provider from settings, and rejects one without an executable', async () => {
    expect((await createProvider('command', { executable: 'my-agent', providerId: 'my-agent' })).providerId).toBe('my-agent');
    await expect(createProvider('command', {})).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('rejects settings of the wrong shape with a clear error', async () => {
    await expect(createProvider('claude', { timeoutMs: -5 })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('timeoutMs') });
  });

  it('loads a default export, a `provider` export, or a factory from a module path', async () => {
    writeFileSync(join(directory, 'default.mjs'), `export default ${providerSource('mine-default')};`);
    writeFileSync(join(directory, 'named.mjs'), `export const provider = ${providerSource('mine-named')};`);
    writeFileSync(join(directory, 'factory.mjs'), `export default (settings) => ({ ...${providerSource('factory')}, providerId: 'factory-' + settings.flavor });`);
    expect((await createProvider(join(directory, 'default.mjs'))).providerId).toBe('mine-default');
    expect((await createProvider('./named.mjs', {}, { cwd: directory })).providerId).toBe('mine-named');
    expect((await createProvider(join(directory, 'factory.mjs'), { flavor: 'mint' })).providerId).toBe('factory-mint');
  });

  it('explains an unknown name and a module without a provider', async () => {
    const unknown = await createProvider('not-a-provider-anywhere').catch((error: unknown) => error);
    expect(OrchestratorError.isInstance(unknown) && unknown.code).toBe('CONFIG_INVALID');
    expect((unknown as Error).message).toContain('qoder, claude, codex, gemini, command');
    writeFileSync(join(directory, 'empty.mjs'), 'export const nothing = 1;');
    await expect(createProvider(join(directory, 'empty.mjs'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('exports no provider') });
  });
});
