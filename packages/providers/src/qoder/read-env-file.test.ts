import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findQoderToken, readEnvFile } from '../index';

const directory = mkdtempSync(join(tmpdir(), 'env-file-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('readEnvFile and findQoderToken', () => {
  it('reads KEY=VALUE lines: comments, export, quotes, trailing comments, = inside values', () => {
    const file = join(directory, '.env.local');
    writeFileSync(file, ['# comment', '', 'export A=1', 'B = "two words" ', "C='x # not a comment'", 'D=plain # comment', 'E=a=b=c', 'not a line', 'F='].join('\n'));
    expect(readEnvFile(file)).toEqual({ A: '1', B: 'two words', C: 'x # not a comment', D: 'plain', E: 'a=b=c', F: '' });
    expect(readEnvFile(join(directory, 'missing'))).toEqual({});
  });

  it('prefers the environment, then the first directory whose .env.local has the token', () => {
    const withToken = mkdtempSync(join(directory, 'project-'));
    writeFileSync(join(withToken, '.env.local'), 'QODER_PERSONAL_ACCESS_TOKEN=from-file\n');
    expect(findQoderToken({ QODER_PERSONAL_ACCESS_TOKEN: 'from-env' }, [withToken])).toBe('from-env');
    expect(findQoderToken({}, [join(directory, 'nothing'), withToken])).toBe('from-file');
    expect(findQoderToken({}, [join(directory, 'nothing')])).toBeUndefined();
  });
});
