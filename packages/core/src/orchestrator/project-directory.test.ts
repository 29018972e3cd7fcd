import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRunStore, createOrchestrator } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider } from '../test/index';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

describe('a project directory that is not there', () => {
  it('is refused before anything is written: not created, and the repository around it untouched', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const missing = join(repository.root, 'not-a-folder-yet');
    const provider = new MockAgentProvider({ complete: () => JSON.stringify({ tasks: [{ id: 'a', title: 'A', agent: 'backend-dev' }] }) });
    const orchestrator = createOrchestrator({ projectDir: missing, provider, runStore: new MemoryRunStore() });
    for (const attempt of [() => orchestrator.run('Build it'), () => orchestrator.plan('Build it')]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('does not exist') });
    }
    expect(await readdir(repository.root)).toEqual(expect.not.arrayContaining(['not-a-folder-yet']));
    expect(await repository.git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(provider.calls.complete).toHaveLength(0);
    const file = join(repository.root, 'README.md');
    await expect(createOrchestrator({ projectDir: file, provider, runStore: new MemoryRunStore() }).run('Build it')).rejects.toMatchObject({ message: expect.stringContaining('is not a directory') });
  });
});
