import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContractReport } from '@qoder-orch/spec';
import { ContractVerifier, createIntegrationRegistry } from './index';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('ContractVerifier as its README shows it', () => {
  it('emits start, warning and finish around verify, and the finished report is the returned one', async () => {
    const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-verifier-events-'));
    directories.push(projectDir);
    await cp(fileURLToPath(new URL('./__fixtures__/express-fetch', import.meta.url)), projectDir, { recursive: true });

    const seen: string[] = [];
    const finished: ContractReport[] = [];
    const warnings: string[] = [];
    // The README's snippet.
    const registry = createIntegrationRegistry({ projectDir });
    const verifier = new ContractVerifier({ registry, apiHosts: [] });
    verifier.on('start', ({ projectDir: started }) => seen.push(`start ${started}`));
    verifier.on('finish', ({ report }) => {
      seen.push('finish');
      finished.push(report);
    });
    verifier.on('warning', ({ message }) => warnings.push(message));
    const report = await verifier.verify({ projectDir });

    expect(seen).toEqual([`start ${projectDir}`, 'finish']);
    expect(finished).toEqual([report]);
    expect(report.contractSource).toBe('openapi.yaml');
    expect(warnings).toEqual(report.notes ?? []);
  });

  it('warns for what it left out, and says which changed files concern it', async () => {
    const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-verifier-events-'));
    directories.push(projectDir);
    await cp(fileURLToPath(new URL('./__fixtures__/express-fetch', import.meta.url)), projectDir, { recursive: true });
    const verifier = new ContractVerifier({ maxFiles: 1 });
    const warnings: string[] = [];
    verifier.on('warning', ({ message }) => warnings.push(message));
    await verifier.verify({ projectDir });
    expect(warnings.some((message) => message.startsWith('Stopped at 1 files'))).toBe(true);

    expect(verifier.touchesApiSurface(['README.md'])).toBe(false);
    expect(verifier.touchesApiSurface(['openapi.yaml'])).toBe(true);
  });
});
