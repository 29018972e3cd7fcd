import { afterAll, describe, expect, it } from 'vitest';
import { runGitProcess } from './git-client';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

const repositories: TemporaryRepository[] = [];
afterAll(async () => {
  for (const repository of repositories) await repository.cleanup();
});

describe('runGitProcess', () => {
  it("answers git's exit code and output whatever they are (a silent 1 and a failure with stderr alike); an abort is ABORTED", async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const first = await repository.commitAll('first');
    await repository.write('b.txt', 'b\n');
    const second = await repository.commitAll('second');
    expect(await runGitProcess(repository.root, ['merge-base', '--is-ancestor', first, second])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await runGitProcess(repository.root, ['merge-base', '--is-ancestor', second, first])).toEqual({ exitCode: 1, stdout: '', stderr: '' });
    expect(await runGitProcess(repository.root, ['rev-parse', 'HEAD'])).toEqual({ exitCode: 0, stdout: `${second}\n`, stderr: '' });
    const failed = await runGitProcess(repository.root, ['rev-parse', '--verify', 'no-such-ref']);
    expect(failed.exitCode).toBe(128);
    expect(failed.stderr).toContain('Needed a single revision');
    expect(await runGitProcess(repository.root, ['hash-object', '--stdin'], { input: 'x\n' })).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^[0-9a-f]{40}\n$/) });
    await expect(runGitProcess(repository.root, ['status'], { abortSignal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
