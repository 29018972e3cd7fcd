import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { serializeError } from '@qoder-orch/spec';
import { writeFileAtomic } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { RunContext, RunSetup } from './run-context';

/** The files the run writes in the project while tasks run (plan, registry), relative to it. */
export function recordPaths(setup: RunSetup): string[] {
  const directory = setup.options.specsDirectory ?? 'specs';
  const iterations = Array.from({ length: setup.config.execution.maxIterations }, (_, index) => join(directory || 'specs', `plan-iteration-${index + 1}.json`));
  const paths = directory === false ? [] : [join(directory, 'plan.json'), ...iterations];
  const registryPath = setup.options.registry?.path;
  if (registryPath) paths.push(relative(setup.projectDir, resolve(setup.projectDir, registryPath)));
  return paths;
}

/**
 * The run's records in the project, committed onto the integration head: `specs/plan.json`
 * (the latest plan), `specs/plan-iteration-<n>.json` (every iteration's plan, so a follow-up
 * plan does not replace the first one) and the integration registry beside them. All are
 * redacted right before they are written: whatever wrote them, no secret is committed.
 *
 * Resolves once the files are written and committed (objects, then the head's move and the index
 * entries of those paths: never a file of the checkout). The judge step keeps them before the
 * project's checks: they see the records, and no git lock file comes and goes under a test
 * runner that walks `.git`. A failure of either is a warning, never a failed run.
 */
export async function keepRecords(run: RunContext, plan: Plan, iteration: number): Promise<void> {
  const { projectDir, redactor } = run;
  const directory = run.options.specsDirectory ?? 'specs';
  const warn = (error: unknown): void => void run.events.emit('warning', { code: 'RECORDS_NOT_KEPT', message: `Could not keep the plan and registry in ${directory}/: ${serializeError(error).message}` });
  if (directory === false) return;
  try {
    const text = redactor.text(`${JSON.stringify(redactor.value(plan), null, 2)}\n`);
    const planFiles = [join(projectDir, directory, 'plan.json'), join(projectDir, directory, `plan-iteration-${iteration}.json`)];
    await mkdir(dirname(planFiles[0]!), { recursive: true });
    for (const file of planFiles) await writeFileAtomic(file, text);
    const files = planFiles.map((file) => relative(projectDir, file));
    const registryPath = run.options.registry?.path;
    if (registryPath && existsSync(registryPath)) {
      const registryText = await readFile(registryPath, 'utf8');
      const redacted = redactor.text(registryText);
      if (redacted !== registryText) await writeFileAtomic(registryPath, redacted);
      files.push(relative(projectDir, registryPath));
    }
    await run.workspace.commitFiles?.(files, `qoder-orch: plan and integration registry (run ${run.state.runId})`);
  } catch (error) {
    warn(error);
  }
}
