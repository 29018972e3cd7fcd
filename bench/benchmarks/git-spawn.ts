import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../packages/core/src/git/git-client';
import { type Benchmark, compare, fixed, table } from '../harness';
import { git } from '../generated-repository';
import { pool } from '../orchestrator-setup';

const CALLS = 64;
const WIDTH = 4;

/** Touched memory held by this process: what a fork has to copy the page tables of. */
function ballast(megabytes: number): Buffer[] {
  return Array.from({ length: megabytes }, () => Buffer.allocUnsafe(2 ** 20).fill(1));
}

/** `CALLS` small git commands (`rev-parse HEAD`), `WIDTH` at a time, through the git layer with `QODER_ORCH_GIT_SPAWN` set to `mode`. */
async function gitCalls(repository: string, mode: 'direct' | 'helper'): Promise<void> {
  process.env.QODER_ORCH_GIT_SPAWN = mode;
  try {
    await pool(CALLS, WIDTH, () => runGit(repository, ['rev-parse', 'HEAD']));
  } finally {
    delete process.env.QODER_ORCH_GIT_SPAWN;
  }
}

/**
 * What starting a git process costs this process: the same small git commands started from this
 * process (`QODER_ORCH_GIT_SPAWN=direct`) against through the spawn helpers, with this process
 * holding little memory and then hundreds of megabytes more (a fork copies the parent's page tables).
 */
export const gitSpawn: Benchmark = {
  name: 'git-spawn',
  description: 'Small git commands started from this process vs through the spawn helpers, with a small and a large parent RSS.',
  async run({ isQuick, log }) {
    const runs = isQuick ? 3 : 7;
    log(`${CALLS} \`git rev-parse HEAD\` through runGit, ${WIDTH} at a time; baseline QODER_ORCH_GIT_SPAWN=direct, subject the spawn helpers; median of ${runs}, alternated.`);
    log('CPU is this process only: the helpers fork in their own processes.');
    const repository = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-git-spawn-'));
    const rows: string[][] = [];
    const held: Buffer[][] = [];
    try {
      await git(repository, ['init', '-q']);
      await writeFile(join(repository, 'a.txt'), 'a\n');
      await git(repository, ['add', 'a.txt']);
      await git(repository, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'a']);
      for (const extra of isQuick ? [0, 400] : [0, 400, 1000]) {
        held.push(ballast(extra));
        const rss = process.memoryUsage().rss / 2 ** 20;
        const result = await compare(
          () => gitCalls(repository, 'direct'),
          () => gitCalls(repository, 'helper'),
          { runs },
        );
        rows.push([`${fixed(rss, 0)} MB`, fixed(result.baseline.medianMs / CALLS), fixed(result.subject.medianMs / CALLS), fixed(result.ratio), fixed(result.baseline.cpuMedianMs / CALLS), fixed(result.subject.cpuMedianMs / CALLS)]);
      }
    } finally {
      held.length = 0;
      await rm(repository, { recursive: true, force: true });
    }
    log(table(['parent RSS', 'direct ms/git', 'helper ms/git', 'wall ratio', 'direct CPU ms/git', 'helper CPU ms/git'], rows));
  },
};
