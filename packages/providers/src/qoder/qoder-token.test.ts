import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findQoderToken } from '../index';

const directory = mkdtempSync(join(tmpdir(), 'env-file-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('findQoderToken', () => {
  it('prefers the environment, then the first directory whose .env.local has the token', () => {
    const withToken = mkdtempSync(join(directory, 'project-'));
    writeFileSync(join(withToken, '.env.local'), 'QODER_PERSONAL_ACCESS_TOKEN=from-file\n');
    expect(findQoderToken({ QODER_PERSONAL_ACCESS_TOKEN: 'from-env' }, [withToken])).toBe('from-env');
    expect(findQoderToken({}, [join(directory, 'nothing'), withToken])).toBe('from-file');
    expect(findQoderToken({}, [join(directory, 'nothing')])).toBeUndefined();
  });
});
