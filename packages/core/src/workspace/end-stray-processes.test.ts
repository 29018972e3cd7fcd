import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endProcessesWorkingIn } from './end-stray-processes';

describe.skipIf(process.platform !== 'linux')('endProcessesWorkingIn', () => {
  it('ends the processes working inside the folder and leaves the others alone', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-stray-'));
    await mkdir(join(directory, 'inside', 'deeper'), { recursive: true });
    await mkdir(join(directory, 'outside'));
    const start = (cwd: string) => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd, stdio: 'ignore' });
    const stray = start(join(directory, 'inside', 'deeper'));
    const bystander = start(join(directory, 'outside'));
    const strayExit = new Promise((resolve) => stray.on('exit', (_code, signal) => resolve(signal)));
    try {
      await Promise.all([once(stray, 'spawn'), once(bystander, 'spawn')]);
      expect(endProcessesWorkingIn(join(directory, 'inside'))).toEqual([stray.pid]);
      expect(await strayExit).toBe('SIGKILL');
      expect(bystander.exitCode).toBeNull();
      expect(endProcessesWorkingIn(join(directory, 'missing'))).toEqual([]);
    } finally {
      bystander.kill('SIGKILL');
      stray.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  });
});
