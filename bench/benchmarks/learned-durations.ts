import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDurationHistory } from '@qoder-orch/core';
import { type Benchmark, fixed, mean, table } from '../harness';
import { createRandom } from '../random';
import { type SimulatedPlan, makeTask, randomDag } from '../random-dag';
import { lowerBound, simulateScheduler } from '../simulate';

const SLOW_AGENT = 'frontend-dev';

/**
 * The case learning is for: two chains of 12 ${SLOW_AGENT} tasks (10 min each, ±LN(0,0.3))
 * beside 30 independent backend tasks (20 min each). Planned at their true length the chains
 * are the critical path and start first; planned 4× too short they look shorter than a
 * backend task and start last.
 */
function chainsPlan(seed: number): SimulatedPlan {
  const random = createRandom(seed);
  const tasks = [];
  const durations = new Map<string, number>();
  for (let chain = 0; chain < 2; chain += 1) {
    for (let step = 0; step < 12; step += 1) {
      const id = `chain${chain}-${step}`;
      durations.set(id, 10 * random.logNormal(0, 0.3));
      tasks.push(makeTask(id, { agent: SLOW_AGENT, dependsOn: step === 0 ? [] : [`chain${chain}-${step - 1}`] }));
    }
  }
  for (let index = 0; index < 30; index += 1) {
    const id = `backend${index}`;
    durations.set(id, 20 * random.logNormal(0, 0.3));
    tasks.push(makeTask(id, { agent: 'backend-dev' }));
  }
  // Plan order: backend tasks first, as a planner listing the bulk of the work first would.
  tasks.sort((a, b) => Number(b.agent === 'backend-dev') - Number(a.agent === 'backend-dev'));
  return { tasks, durations };
}

/**
 * A sequence of runs of one project, each a new random plan. The planner's estimates are
 * ×LN(0,0.3) around the truth for every agent but one, whose tasks really take `factor` times
 * what the plan says. Plan-only priority keeps trusting the plan; learned priority uses a
 * duration history (a real JSON file) fed by every earlier run.
 */
export const learnedDurations: Benchmark = {
  name: 'learned-durations',
  description: 'Makespan with learned duration estimates vs plan estimates when one agent is systematically mis-estimated.',
  async run({ isQuick, log }) {
    const size = isQuick ? 100 : 200;
    const runsPerProject = 6;
    const projects = isQuick ? [1, 2] : [1, 2, 3, 4, 5, 6];
    const slotCounts = isQuick ? [4] : [2, 4, 8];
    const scenarios = [...[4, 0.25].flatMap((factor) => slotCounts.map((slots) => ({ shape: 'random DAG' as const, factor, slots }))), { shape: 'two chains' as const, factor: 4, slots: 4 }];
    log(`${projects.length} projects × ${runsPerProject} consecutive runs, each a new plan: ${size}-task random DAGs (window 20, log-normal sigma 1),`);
    log(`or "two chains": 2 chains of 12 ${SLOW_AGENT} tasks (10 min) beside 30 independent backend tasks (20 min), backend listed first.`);
    log(`Plan estimates: true duration ×LN(0,0.3), except ${SLOW_AGENT}, whose tasks take <factor> × their estimate.`);
    log(`Figures: makespan / lower bound, mean over projects, for runs 2–${runsPerProject} (run 1 has no history yet). Baseline: the lower bound.`);
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-durations-'));
    const rows: string[][] = [];
    try {
      for (const { shape, factor, slots } of scenarios) {
        const planOnly: number[] = [];
        const learned: number[] = [];
        const exact: number[] = [];
        const firstRun: number[] = [];
        for (const project of projects) {
          const history = await createDurationHistory({ file: join(directory, `${shape.replace(' ', '-')}-p${project}-${factor}-${slots}.json`) });
          for (let run = 1; run <= runsPerProject; run += 1) {
            const seed = project * 1000 + run;
            const { tasks: trueTasks, durations } = shape === 'random DAG' ? randomDag({ size, seed, window: 20 }) : chainsPlan(seed);
            const noise = createRandom(seed * 31);
            const tasks = trueTasks.map((task) => ({
              ...task,
              estimateMinutes: task.agent === SLOW_AGENT ? durations.get(task.id)! / factor : durations.get(task.id)! * noise.logNormal(0, 0.3),
            }));
            const bound = lowerBound(tasks, durations, slots).bound;
            const plain = (await simulateScheduler(tasks, durations, { slots })).makespan / bound;
            const withHistory =
              (
                await simulateScheduler(tasks, durations, {
                  slots,
                  estimate: history.estimator(),
                  onComplete: (task, minutes) => void history.record(task, minutes * 60_000),
                })
              ).makespan / bound;
            await history.flush();
            const best = (await simulateScheduler(tasks, durations, { slots, estimate: (task) => durations.get(task.id)! })).makespan / bound;
            if (run === 1) firstRun.push(withHistory / plain);
            else {
              planOnly.push(plain);
              learned.push(withHistory);
              exact.push(best);
            }
          }
        }
        rows.push([`${shape}, ${SLOW_AGENT} ×${factor}, ${slots} slots`, fixed(mean(planOnly), 3), fixed(mean(learned), 3), fixed(mean(exact), 3), `${fixed((1 - mean(learned) / mean(planOnly)) * 100, 1)}%`, fixed(mean(firstRun), 3)]);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    log(table(['scenario', 'plan-only', 'learned', 'exact estimates', 'makespan saved', 'run 1 learned/plan'], rows));
    log(`"run 1 learned/plan" should be 1.000: with an empty history the learned estimator is the plan's.`);
  },
};
