import { afterAll, describe, expect, it } from 'vitest';
import { observeGitSpawns, readBlobs, runGitProcess } from './git-client';
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

describe('readBlobs', () => {
  it('reads every named file in one git process, byte for byte (not UTF-8, NUL, line breaks, empty); what names no file is undefined', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x41, 0x0a, 0x0a, 0xc3]);
    await repository.write('bin/data.bin', binary);
    await repository.write('src/a file.js', 'é\nline two\n');
    await repository.write('empty.txt', '');
    const commit = await repository.commitAll('files');
    let processes = 0;
    const stop = observeGitSpawns(() => {
      processes += 1;
    });
    try {
      const specs = [`${commit}:bin/data.bin`, `${commit}:src/a file.js`, `${commit}:empty.txt`, `${commit}:missing.txt`, `${commit}:src`, 'no-such-ref:x', `${commit}:bin/data.bin`];
      const blobs = await readBlobs(repository.root, specs);
      expect(processes).toBe(1);
      expect(blobs.get(`${commit}:bin/data.bin`)?.equals(binary)).toBe(true);
      expect(blobs.get(`${commit}:src/a file.js`)?.toString('utf8')).toBe('é\nline two\n');
      expect(blobs.get(`${commit}:empty.txt`)?.length).toBe(0);
      // Missing, a folder (a tree, not a file), a name that resolves to nothing: answered, undefined.
      for (const spec of [`${commit}:missing.txt`, `${commit}:src`, 'no-such-ref:x']) {
        expect(blobs.has(spec)).toBe(true);
        expect(blobs.get(spec)).toBeUndefined();
      }
      // A name with a line break cannot be asked in a batch: left out for the caller; nothing asked, no process.
      expect((await readBlobs(repository.root, [`${commit}:a\nb`])).has(`${commit}:a\nb`)).toBe(false);
      expect(await readBlobs(repository.root, [])).toEqual(new Map());
      expect(processes).toBe(1);
    } finally {
      stop();
    }
  });
});
