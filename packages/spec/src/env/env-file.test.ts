import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnvFile } from '../index';

const directory = mkdtempSync(join(tmpdir(), 'env-file-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('readEnvFile', () => {
  it('reads KEY=VALUE lines: comments, export, quotes, trailing comments, = inside values', () => {
    const file = join(directory, '.env.local');
    writeFileSync(file, ['# comment', '', 'export A=1', 'B = "two words" ', "C='x # not a comment'", 'D=plain # comment', 'E=a=b=c', 'not a line', 'F='].join('\n'));
    expect(readEnvFile(file)).toEqual({ A: '1', B: 'two words', C: 'x # not a comment', D: 'plain', E: 'a=b=c', F: '' });
    expect(readEnvFile(join(directory, 'missing'))).toEqual({});
  });
});
