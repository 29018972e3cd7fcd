import type { Task } from '@qoder-orch/core';
import { type Random, createRandom } from './random';

export const AGENTS = ['backend-dev', 'frontend-dev', 'tester'] as const;

export interface SimulatedPlan {
  tasks: Task[];
  /** The true duration of each task, in minutes. */
  durations: Map<string, number>;
}

export interface RandomDagOptions {
  size: number;
  seed: number;
  /** Log-normal sigma of the durations (median 10 minutes). @default 1 */
  sigma?: number;
  /** Each task depends on 0..maxDependencies tasks among the `window` before it. @default 3 */
  maxDependencies?: number;
  /** How far back dependencies reach, in plan order. @default 20 */
  window?: number;
}

export const makeTask = (id: string, fields: Partial<Task> = {}): Task => ({
  id,
  title: `Task ${id}`,
  description: '',
  agent: 'backend-dev',
  dependsOn: [],
  files: [],
  acceptance: [],
  verify: [],
  estimateMinutes: 10,
  ...fields,
});

/**
 * A random DAG in plan (topological) order: task i depends on up to `maxDependencies`
 * distinct tasks among the `window` tasks before it; durations are log-normal with median
 * 10 minutes; agents are spread evenly. The plan's estimate is the true duration; callers
 * that want wrong estimates pass an estimator.
 */
export function randomDag(options: RandomDagOptions): SimulatedPlan {
  const random: Random = createRandom(options.seed);
  const sigma = options.sigma ?? 1;
  const maxDependencies = options.maxDependencies ?? 3;
  const window = options.window ?? 20;
  const tasks: Task[] = [];
  const durations = new Map<string, number>();
  for (let index = 0; index < options.size; index += 1) {
    const id = `t${index}`;
    const dependsOn = new Set<string>();
    const from = Math.max(0, index - window);
    const count = index === 0 ? 0 : random.integer(0, maxDependencies);
    for (let pick = 0; pick < count; pick += 1) dependsOn.add(`t${random.integer(from, index - 1)}`);
    const duration = random.logNormal(Math.log(10), sigma);
    durations.set(id, duration);
    tasks.push(makeTask(id, { agent: random.pick(AGENTS), dependsOn: [...dependsOn], estimateMinutes: duration }));
  }
  return { tasks, durations };
}

/**
 * A wide layered DAG for overhead runs: `layers` layers of equal width, each task depending
 * on two tasks of the layer before. Estimates vary so the critical path is not trivial.
 */
export function layeredDag(size: number, width: number, seed = 1, fields: (index: number) => Partial<Task> = () => ({})): Task[] {
  const random = createRandom(seed);
  const tasks: Task[] = [];
  for (let index = 0; index < size; index += 1) {
    const layerStart = Math.floor(index / width) * width;
    const dependsOn = new Set<string>();
    if (layerStart > 0) {
      const previousStart = layerStart - width;
      dependsOn.add(`t${random.integer(previousStart, layerStart - 1)}`);
      dependsOn.add(`t${random.integer(previousStart, layerStart - 1)}`);
    }
    tasks.push(makeTask(`t${index}`, { dependsOn: [...dependsOn], estimateMinutes: random.integer(1, 60), ...fields(index) }));
  }
  return tasks;
}

/** The same tasks under other ids (dependencies renamed alike), e.g. as a later iteration's follow-ups. */
export const withIdPrefix = (tasks: readonly Task[], prefix: string): Task[] => tasks.map((task) => ({ ...task, id: `${prefix}${task.id}`, dependsOn: task.dependsOn.map((dependency) => `${prefix}${dependency}`) }));
