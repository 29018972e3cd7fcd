import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type GitSpawn, observeGitSpawns } from './git-client';
import { gitVersion } from './git-version';

describe('gitVersion', () => {
  it('asks git once per PATH, and does not remember that git could not be run', async () => {
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    const originalPath = process.env['PATH'];
    try {
      const first = await gitVersion(tmpdir());
      const second = await gitVersion(tmpdir());
      expect(first).toEqual(second);
      expect(first.isOk && first.version.isSupported).toBe(true);
      expect(spawns).toHaveLength(1);
      // No git on this PATH: asked, refused, and asked again next time.
      process.env['PATH'] = '/nonexistent-qoder-orch-path';
      const missing = await gitVersion(tmpdir());
      const missingAgain = await gitVersion(tmpdir());
      expect(missing.isOk).toBe(false);
      expect(missingAgain.isOk).toBe(false);
      expect(spawns).toHaveLength(3);
    } finally {
      process.env['PATH'] = originalPath;
      stop();
    }
  });
});
