import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractVerifier } from '@qoder-orch/contracts';
import { PlanSchema, TaskResultSchema } from '@qoder-orch/spec';
import { createEvidenceJudge } from './evidence-judge';
import type { Evidence } from './judge';
import { MockAgentProvider } from '../test/index';

const run = promisify(execFile);
const corpusCase = (name: string) => fileURLToPath(new URL(`../../../contracts/src/__fixtures__/corpus/${name}`, import.meta.url));

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});
const copyOf = async (name: string) => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-contract-check-'));
  directories.push(directory);
  await cp(corpusCase(name), directory, { recursive: true });
  return directory;
};

const exitCodeOf = async (command: readonly string[], cwd: string): Promise<{ code: number; output: string }> => {
  try {
    const { stdout } = await run(command[0]!, command.slice(1), { cwd, timeout: 60_000 });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: failed.stdout ?? '' };
  }
};

const plan = PlanSchema.parse({ objective: 'Users API and page', tasks: [{ id: 'api', title: 'Users API', agent: 'backend', verify: [['npm', 'test']] }] });
const passing = TaskResultSchema.parse({
  taskId: 'api',
  agent: 'backend',
  iteration: 1,
  status: 'completed',
  attempts: 1,
  agentClaimedSuccess: true,
  verification: [{ command: ['npm', 'test'], exitCode: 0, passed: true, isTimedOut: false, durationMs: 1, outputTail: '', phase: 'task' }],
});

describe('contract errors as follow-up work', () => {
  it('carries a check command that re-runs the verification: 0 when the layout agrees, 1 when it does not', async () => {
    const good = await copyOf('express-factory-variable');
    const goodReport = await new ContractVerifier().verify({ projectDir: good });
    expect(goodReport.isPassed).toBe(true);
    expect(goodReport.checkCommand?.[0]).toBe(process.execPath);
    expect((await exitCodeOf(goodReport.checkCommand!, good)).code).toBe(0);

    const bad = await copyOf('express-planted-wrong-method');
    const badReport = await new ContractVerifier().verify({ projectDir: bad });
    const failing = await exitCodeOf(badReport.checkCommand!, bad);
    expect(failing.code).toBe(1);
    expect(failing.output).toContain('method-mismatch  PUT /api/users/{id}  web/profile.ts:6');
    // The agent fixes the client: the same command now passes.
    await writeFile(join(bad, 'web/profile.ts'), "export const saveProfile = (id: string, p: unknown) => fetch(`/api/users/${id}`, { method: 'PATCH', body: JSON.stringify(p) });\n");
    expect((await exitCodeOf(badReport.checkCommand!, bad)).code).toBe(0);
  }, 120_000);

  it('names the files on both sides and runs the check, whatever file the finding sits in', async () => {
    const projectDir = corpusCase('express-openapi-planted');
    const contract = await new ContractVerifier().verify({ projectDir });
    const errors = contract.findings.filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => [finding.kind, finding.method, finding.path, finding.file])).toEqual([['method-mismatch', 'DELETE', '/api/v2/users/{id}', 'server/users.js']]);
    expect(errors[0]?.counterparts?.map((other) => `${other.side} ${other.method} ${other.file}:${other.line}`)).toEqual(['contract DELETE openapi.yaml:12', 'backend GET server/users.js:6']);

    const evidence: Evidence = { results: [passing], projectChecks: [], contract };
    const judge = createEvidenceJudge({ provider: new MockAgentProvider({ complete: ['not json'] }) });
    const { verdict } = await judge.judge({ objective: plan.objective, iteration: 1, plans: [plan], evidence });
    const followUp = verdict.followUpTasks.find((task) => task.id === 'fix-api-contract');
    expect(followUp?.files).toEqual(['server/users.js', 'openapi.yaml']);
    expect(followUp?.verify).toEqual([contract.checkCommand]);
    expect(followUp?.description).toContain('contract: DELETE /api/v2/users/{id} (openapi.yaml:12)');
    expect(followUp?.description).toContain('backend: GET /api/v2/users/{id} (server/users.js:6)');
  });

  it("gives the check to the model's follow-up that takes on the contract, so editing openapi.yaml alone cannot complete it", async () => {
    const projectDir = corpusCase('express-planted-missing-route');
    const contract = await new ContractVerifier().verify({ projectDir });
    const notServed = contract.findings.find((finding) => finding.kind === 'not-served');
    expect(notServed?.counterparts?.map((other) => `${other.side} ${other.file}:${other.line}`)).toEqual(['backend server/orders.js:6']);
    const modelFollowUp = { id: 'fix-openapi', title: 'Update openapi.yaml to match the contract', agent: 'backend', files: ['openapi.yaml'] };
    const provider = new MockAgentProvider({ complete: [{ type: 'success', text: JSON.stringify({ isMet: false, reasoning: 'Contract drift.', criteria: [], followUpTasks: [modelFollowUp] }) }] });
    const { verdict } = await createEvidenceJudge({ provider }).judge({ objective: plan.objective, iteration: 1, plans: [plan], evidence: { results: [passing], projectChecks: [], contract } });
    expect(verdict.followUpTasks.map((task) => [task.id, task.verify])).toEqual([['fix-openapi', [contract.checkCommand]]]);
  });
});
