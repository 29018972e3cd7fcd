import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeMachineLock } from './machine-lock';

const folder = mkdtempSync(join(tmpdir(), 'bench-lock-'));
const lockPath = join(folder, 'bench.lock');
afterEach(() => {
  delete process.env['QODER_ORCH_BENCH_LOCK_PID'];
  rmSync(lockPath, { force: true });
});

describe('takeMachineLock', () => {
  it('is refused while another live process holds it, taken over from a dead one, and released', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lockPath, `${other.pid}\n`);
      expect(takeMachineLock(lockPath)).toEqual({ isHeld: false, holder: other.pid });
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    const lock = takeMachineLock(lockPath);
    expect(lock.isHeld).toBe(true);
    expect(readFileSync(lockPath, 'utf8').trim()).toBe(String(process.pid));
    // The benchmarks this run starts as children run under it.
    expect(process.env['QODER_ORCH_BENCH_LOCK_PID']).toBe(String(process.pid));
    if (lock.isHeld) lock.release();
    expect(() => readFileSync(lockPath)).toThrow();
  });
});
