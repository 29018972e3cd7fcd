import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractVerifier } from '@qoder-orch/contracts';
import { PlanSchema, TaskResultSchema, createEvidenceJudge, type TaskResult } from '../index';
import { collectProjectChecks, runVerification } from './run-verification';
import { MockAgentProvider } from '../test/index';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

const node = process.execPath;

/**
 * The chain the orchestrator runs, with real files and processes: an agent (the mock) claims
 * success and writes code; the orchestrator runs the task's verify command and the project's
 * test command itself, checks the API contract, and asks the judge. The model even says "met".
 */
describe('an agent that claims success while its checks fail', () => {
  it('ends "not met", with a failed criterion and follow-up tasks for the failing checks and the contract', async () => {
    const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-claim-'));
    directories.push(projectDir);
    const plan = PlanSchema.parse({
      objective: 'A todo API and a page that lists todos',
      tasks: [
        { id: 'api', title: 'Todo API', agent: 'backend-dev', files: ['server/**'], verify: [[node, 'server/check.js']], acceptance: ['GET /api/todos lists todos'] },
        { id: 'ui', title: 'Todo page', agent: 'frontend-dev', dependsOn: ['api'], files: ['web/**'], verify: [[node, '-e', 'process.exit(0)']] },
      ],
    });
    const agent = new MockAgentProvider({
      runTask: {
        api: [
          {
            type: 'success',
            text: 'Implemented the todo API. All tests pass!\n```json\n{"status": "success", "summary": "done"}\n```',
            files: {
              'server/app.js': "const express = require('express');\nconst app = express();\napp.get('/api/todo', (q, s) => s.json([]));\nmodule.exports = app;\n",
              'server/check.js': "console.error('expected GET /api/todos to answer 200, got 404');\nprocess.exit(1);\n",
            },
          },
        ],
        ui: [{ type: 'success', text: 'Page done.', files: { 'web/todos.js': "export const load = () => fetch('/api/todos');\n" } }],
      },
      complete: [JSON.stringify({ isMet: true, reasoning: 'The agents report success.', criteria: [], followUpTasks: [] })],
    });

    const results: TaskResult[] = [];
    for (const task of plan.tasks) {
      const run = await agent.doRunTask({ taskId: task.id, prompt: task.title, cwd: projectDir });
      const verification = await runVerification(task.verify, { cwd: projectDir });
      results.push(TaskResultSchema.parse({ taskId: task.id, agent: task.agent, iteration: 1, status: 'completed', attempts: 1, summary: run.summary, agentClaimedSuccess: true, verification }));
    }
    const projectChecks = await collectProjectChecks({ cwd: projectDir, command: [node, 'server/check.js'] });
    const contract = await new ContractVerifier().verify({ projectDir });
    expect(contract.findings.map((finding) => [finding.kind, finding.method, finding.path, finding.file, finding.line])).toEqual([['not-served', 'GET', '/api/todos', 'web/todos.js', 1]]);

    const { verdict } = await createEvidenceJudge({ provider: agent }).judge({ objective: plan.objective, iteration: 1, plans: [plan], evidence: { results, projectChecks, contract } });

    expect(verdict.isMet).toBe(false);
    expect(verdict.reasoning).toContain('task api claimed success but failed verification');
    expect(verdict.criteria.filter((criterion) => !criterion.isMet).map((criterion) => criterion.criterion)).toEqual([
      '[evidence] Task api: Todo API',
      '[evidence] The project checks pass',
      '[evidence] Frontend, backend and API contract agree',
    ]);
    expect(verdict.followUpTasks.map((task) => [task.id, task.agent])).toEqual([
      ['fix-api', 'backend-dev'],
      ['fix-project-checks', 'backend-dev'],
      ['fix-api-contract', 'backend-dev'],
    ]);
    const fixApi = verdict.followUpTasks[0]!;
    expect(fixApi.verify).toEqual([[node, 'server/check.js']]);
    expect(fixApi.description).toContain('expected GET /api/todos to answer 200, got 404');
    expect(verdict.followUpTasks[2]?.description).toContain('not-served: GET /api/todos (web/todos.js:1)');
  });
});
