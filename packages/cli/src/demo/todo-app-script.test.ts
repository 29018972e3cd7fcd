import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PlanSchema } from '@qoder-orch/core';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDemoProject } from './prepare-demo-project';
import { judgeAnswer } from './scripted-model';
import { demoPlan, demoTaskTurns } from './todo-app-script';

const run = promisify(execFile);

/** Applies the scripted tool uses the way Claude Code's tools do: Edit needs exactly one match. */
async function applyTurns(cwd: string, taskId: string): Promise<void> {
  for (const turn of demoTaskTurns[taskId]!) {
    if ('final' in turn) continue;
    for (const tool of turn.tools) {
      const path = join(cwd, tool.file);
      if (tool.name === 'Write') await writeFile(path, tool.content);
      if (tool.name === 'Edit') {
        const text = await readFile(path, 'utf8');
        expect(text.split(tool.oldString).length - 1, `${taskId}: ${tool.file} must contain the old string once`).toBe(1);
        await writeFile(
          path,
          text.replace(tool.oldString, () => tool.newString),
        );
      }
    }
  }
}

describe('the demo script on examples/todo-app', () => {
  let projectDir: string | undefined;
  afterEach(async () => {
    if (projectDir) await rm(dirname(projectDir), { recursive: true, force: true });
  });

  it('is a valid plan whose tasks all have scripted turns ending in a report', () => {
    const plan = PlanSchema.parse(demoPlan);
    expect(plan.tasks.map((task) => task.agent).sort()).toEqual(['architect', 'backend-dev', 'backend-dev', 'frontend-dev', 'qa-agent']);
    for (const task of plan.tasks) {
      const turns = demoTaskTurns[task.id]!;
      expect(turns.at(-1)).toHaveProperty('report.status', 'success');
      const touched = turns.flatMap((turn) => ('tools' in turn ? turn.tools.filter((tool) => tool.name !== 'Read').map((tool) => tool.file) : []));
      for (const file of touched) expect(task.files, `${task.id} declares ${file}`).toContain(file);
    }
  });

  it('makes edits after which every verify command and the new tests pass, in dependency order', async () => {
    projectDir = await prepareDemoProject();
    const plan = PlanSchema.parse(demoPlan);
    for (const task of plan.tasks) {
      await applyTurns(projectDir, task.id);
      for (const command of task.verify) {
        const argv = Array.isArray(command) ? command : command.command;
        await run(argv[0]!, argv.slice(1), { cwd: projectDir });
      }
    }
    const { stdout } = await run('node', ['--test', 'test/'], { cwd: projectDir });
    expect(stdout).toMatch(/# fail 0/);
    expect(stdout).toMatch(/# pass 11/);
  });

  it('fails the original tests when the backend edits are missing (the checks can fail)', async () => {
    projectDir = await prepareDemoProject();
    await applyTurns(projectDir, 'qa-due-dates');
    await expect(run('node', ['--test', 'test/'], { cwd: projectDir })).rejects.toMatchObject({ code: 1 });
  });
});

describe('the scripted judge', () => {
  it('reads the real judge prompt of a demo run (recorded) and finds every criterion met on its evidence', async () => {
    const prompt = await readFile(new URL('../__fixtures__/demo-judge-prompt.txt', import.meta.url), 'utf8');
    const answer = judgeAnswer(prompt);
    expect(answer.criteria).toHaveLength(8);
    expect(answer.criteria.every((criterion) => criterion.isMet)).toBe(true);
    expect(answer.isMet).toBe(true);
    expect(answer.criteria[0]!.evidence).toMatch(/^api-contract: completed; .*→ PASSED/);
    // The same prompt with one failed check of the backend task: that task's criteria are not met.
    const failing = prompt.replace(/(### backend-due-dates [\s\S]*?)→ PASSED/, '$1→ FAILED');
    const failed = judgeAnswer(failing);
    expect(failed.isMet).toBe(false);
    expect(failed.criteria.filter((criterion) => !criterion.isMet).map((criterion) => criterion.criterion)).toEqual(['POST and PATCH accept a valid dueDate', 'an invalid dueDate is rejected with 400']);
  });

  const prompt = (status: string, check: string, failures: string) =>
    [
      '[qoder-orch:judge] Decide from evidence whether the objective is met.',
      'Acceptance criteria from the plan:',
      '- [backend-due-dates] Store and validate due dates',
      '  - POST and PATCH accept a valid dueDate',
      '',
      'Rules:',
      '<evidence>',
      `### backend-due-dates (agent backend-dev, iteration 1): ${status}; agent claimed success: yes`,
      'verification:',
      `- node --test test/ [task] → ${check}`,
      '',
      '## Project checks',
      '- node --test test/ [project] → PASSED',
      '',
      '## Failures found by the evidence rules (each one alone means "not met")',
      failures,
      '</evidence>',
    ].join('\n');

  it('finds the objective met only on passing evidence', () => {
    expect(judgeAnswer(prompt('completed', 'PASSED', 'none'))).toMatchObject({ isMet: true, criteria: [{ isMet: true }] });
    expect(judgeAnswer(prompt('completed', 'FAILED', 'none'))).toMatchObject({ isMet: false, criteria: [{ isMet: false }] });
    expect(judgeAnswer(prompt('failed', 'PASSED', '- backend-due-dates failed'))).toMatchObject({ isMet: false });
  });
});
