import { type HelperExit, type HelperRequest, HelperUnavailableError, SpawnHelper } from './spawn-helper';

/**
 * The spawn helpers of this process: started lazily, one more while every running one is busy,
 * up to `QODER_ORCH_GIT_HELPERS` (2 by default: the machines this runs on have few cores, and
 * one helper's main thread is what each fork costs). `QODER_ORCH_GIT_SPAWN=direct` starts git
 * from this process instead (for debugging); so does a helper that cannot start, and helpers
 * that keep dying (3 times).
 */
const MAX_DEATHS = 3;
let helpers: SpawnHelper[] = [];
let deaths = 0;
let isDisabled = false;

function helperLimit(): number {
  const configured = Number.parseInt(process.env.QODER_ORCH_GIT_HELPERS ?? '', 10);
  return Number.isInteger(configured) && configured >= 1 && configured <= 16 ? configured : 2;
}

/** Whether git starts through spawn helpers now (`false`: from this process). */
export function isHelperSpawning(): boolean {
  return !isDisabled && process.env.QODER_ORCH_GIT_SPAWN !== 'direct';
}

function onDeath(helper: SpawnHelper, wasReady: boolean): void {
  helpers = helpers.filter((other) => other !== helper);
  if (!wasReady || ++deaths >= MAX_DEATHS) isDisabled = true;
}

function pick(): SpawnHelper {
  const idle = helpers.find((helper) => helper.load === 0);
  if (idle !== undefined) return idle;
  if (helpers.length < helperLimit()) {
    const helper = new SpawnHelper(onDeath);
    helpers.push(helper);
    return helper;
  }
  return helpers.reduce((least, helper) => (helper.load < least.load ? helper : least));
}

/**
 * Runs `request` through a spawn helper, or with `direct` when helpers are off or cannot start
 * it. A request a helper lost before starting its process is retried once on another helper,
 * then directly; one whose process started fails with the helper's `GIT_ERROR`.
 */
export async function spawnThroughHelper(request: HelperRequest, direct: () => Promise<HelperExit>): Promise<HelperExit> {
  for (let attempt = 0; attempt < 2 && isHelperSpawning(); attempt++) {
    try {
      return await pick().run(request);
    } catch (error) {
      if (!(error instanceof HelperUnavailableError)) throw error;
    }
  }
  return direct();
}

/** Test hooks: the live helpers' process ids, and a fresh start (helpers stopped, the death count reset). */
export const spawnHelpersForTesting = {
  pids: (): number[] => helpers.map((helper) => helper.pid).filter((pid): pid is number => pid !== undefined),
  reset: (): void => {
    for (const helper of helpers.splice(0)) helper.stop();
    deaths = 0;
    isDisabled = false;
  },
};
