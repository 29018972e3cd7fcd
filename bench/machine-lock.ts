import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The variable a benchmark run sets for the benchmarks it starts as child processes: they run under its lock. */
const HELD_BY = 'QODER_ORCH_BENCH_LOCK_PID';

export type MachineLock = { isHeld: true; release(): void } | { isHeld: false; holder: number };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One benchmark run per machine at a time: two at once share the cores and both sets of figures
 * are wrong (it happened: ratios of 0.96 for runs that were really 1.3). Takes
 * `<tmp>/qoder-orch-bench.lock` (created exclusively, holding this process id); a lock whose
 * process is gone is taken over. A child of the holder (`QODER_ORCH_BENCH_LOCK_PID`) runs under it.
 */
export function takeMachineLock(path = join(tmpdir(), 'qoder-orch-bench.lock')): MachineLock {
  const inherited = Number(process.env[HELD_BY]);
  if (Number.isInteger(inherited) && inherited > 0 && isAlive(inherited)) return { isHeld: true, release: () => undefined };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      process.env[HELD_BY] = String(process.pid);
      return {
        isHeld: true,
        release: () => {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) return { isHeld: false, holder };
      rmSync(path, { force: true });
    }
  }
  return { isHeld: false, holder: 0 };
}
