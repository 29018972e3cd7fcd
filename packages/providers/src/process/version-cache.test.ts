import { chmod, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCliVersion } from './check-cli-version';
import { versionCacheFile } from './version-cache';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'qoder-orch-version-cache-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** An executable that counts how often it was started and answers `version` (or fails). */
async function fakeCli(version: string, exitCode = 0): Promise<{ path: string; starts: () => Promise<number> }> {
  const path = join(directory, 'fake-cli');
  const counter = join(directory, 'starts');
  await writeFile(path, `#!/usr/bin/env node\nrequire('node:fs').appendFileSync(${JSON.stringify(counter)}, 'x');\nconsole.log(${JSON.stringify(version)});\nprocess.exit(${exitCode});\n`);
  await chmod(path, 0o755);
  return { path, starts: async () => (await readFile(counter, 'utf8').catch(() => '')).length };
}

const check = (executable: string, cacheFile: string | null) => checkCliVersion({ executable, env: { PATH: process.env['PATH'] ?? '' }, installHint: 'install it', secrets: [], cacheFile });

describe('checkCliVersion with the version cache', () => {
  it('asks an unchanged executable once, and again once it changed', async () => {
    const cacheFile = join(directory, 'cache', 'cli-versions.json');
    const cli = await fakeCli('fake 2.1.197');
    expect(await check(cli.path, cacheFile)).toMatchObject({ installed: true, version: '2.1.197' });
    expect(await check(cli.path, cacheFile)).toMatchObject({ installed: true, version: '2.1.197' });
    expect(await cli.starts()).toBe(1);
    // An update: new content, new times.
    await writeFile(cli.path, (await readFile(cli.path, 'utf8')).replace('2.1.197', '2.2.0'));
    await utimes(cli.path, new Date(), new Date(Date.now() + 5000));
    expect(await check(cli.path, cacheFile)).toMatchObject({ installed: true, version: '2.2.0' });
    expect(await cli.starts()).toBe(2);
  });

  it('never remembers a failure, and asks every time when turned off', async () => {
    const cacheFile = join(directory, 'cli-versions.json');
    const broken = await fakeCli('fake 1.0.0', 3);
    expect((await check(broken.path, cacheFile)).installed).toBe(false);
    expect((await check(broken.path, cacheFile)).installed).toBe(false);
    expect(await broken.starts()).toBe(2);
    await rm(broken.path);
    const cli = await fakeCli('fake 1.0.0');
    await check(cli.path, null);
    await check(cli.path, null);
    expect(await cli.starts()).toBe(4);
    expect(versionCacheFile({ QODER_ORCH_VERSION_CACHE: 'off' })).toBeUndefined();
    expect(versionCacheFile({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/qoder-orch/cli-versions.json');
  });
});
