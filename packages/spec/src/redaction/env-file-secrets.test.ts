import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretValuesFrom } from '../index';
import { projectEnvFileValues } from './env-file-secrets';

describe('projectEnvFileValues', () => {
  it('reads .env.local pairs (comments, export, quotes) so their secret-named values are redacted', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-envfile-'));
    try {
      expect(projectEnvFileValues(directory)).toEqual({});
      await writeFile(join(directory, '.env.local'), '# keys\nexport API_TOKEN="tok-123456789"\nSTRIPE_SECRET_KEY=sk_live_abcdef # note\nNODE_ENV=development\n');
      const values = projectEnvFileValues(directory);
      expect(values).toEqual({ API_TOKEN: 'tok-123456789', STRIPE_SECRET_KEY: 'sk_live_abcdef', NODE_ENV: 'development' });
      expect(secretValuesFrom(values).sort()).toEqual(['sk_live_abcdef', 'tok-123456789']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
