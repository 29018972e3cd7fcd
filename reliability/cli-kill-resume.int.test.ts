import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { type FakeAnthropicServer, createFakeAnthropicServer, isProcessRunning, reply } from '@qoder-orch/providers/test';
import { agentProcessesUnder } from './fixtures/agent-processes';
import { createUserRepository, git, taskIdOf, workingDirectoryOf } from './fixtures/claude-orchestration';
import { holds } from './record-case';
import { worktreesBesideIdlePool } from './worktrees-left';

/**
 * The real `qoder-orchestrate` CLI with the real claude, SIGKILLed while an agent is mid-task,
 * then `qoder-orchestrate --resume <runId> --json`.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const API_KEY = 'ant-PLANTED-cli-key-5e1f0b7c92';
const QODER_TOKEN = 'qpat-PLANTED-cli-token-a83d44e1';

function startCli(args: string[], server: FakeAnthropicServer, home: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    ...server.env,
    ANTHROPIC_API_KEY: API_KEY,
    QODER_PERSONAL_ACCESS_TOKEN: QODER_TOKEN,
    CLAUDE_CODE_MAX_RETRIES: '0',
    API_TIMEOUT_MS: '120000',
    QODER_ORCH_SEMANTIC_SEARCH: 'false',
    NO_COLOR: '1',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

describe.skipIf(!findClaudeExecutable())('the CLI SIGKILLed mid-task, then --resume', () => {
  it('resumes to met with --json, keeps the finished task, reruns the interrupted one, leaves no agent process behind and no secret in its output, log or report', async () => {
    await holds('kill and resume', 'CLI SIGKILLed mid-task, real claude, --resume --json', async () => {
      // The plan's check is an inline `node -e 0`: the user's configuration allows it (the command policy would refuse it).
      const projectDir = createUserRepository({ 'README.md': '# project\n', '.gitignore': '.qoder-orch/\n', '.qoder-orchestrate.yaml': 'validation:\n  command_policy:\n    allow: ["node -e 0"]\n' });
      const home = mkdtempSync(join(tmpdir(), 'qoder-orch-cli-home-'));
      cleanups.push(
        () => rmSync(join(projectDir, '..'), { recursive: true, force: true }),
        () => rmSync(home, { recursive: true, force: true }),
      );
      const userCommit = git(projectDir, ['rev-parse', 'HEAD']).trim();
      const starts: Array<{ taskId: string; phase: string }> = [];
      let phase = 'first';
      let killCli: (() => void) | undefined;
      let orphans: number[] = [];
      const server = await createFakeAnthropicServer({
        handler: (request) => {
          if (request.prompt.includes(PLAN_PROMPT_MARKER)) {
            return reply.json({
              tasks: [
                { id: 'first', title: 'Write first', agent: 'backend-dev', files: ['src/first.txt'], verify: [['node', '-e', '0']] },
                { id: 'second', title: 'Write second', agent: 'backend-dev', files: ['src/second.txt'], dependsOn: ['first'], verify: [['node', '-e', '0']] },
              ],
            });
          }
          if (request.prompt.includes(JUDGE_PROMPT_MARKER)) return reply.json({ isMet: true, reasoning: 'both files are there' });
          const taskId = taskIdOf(request);
          if (!taskId) return reply.text('OK.');
          const cwd = workingDirectoryOf(request);
          if (request.turnIndex === 0) starts.push({ taskId, phase });
          if (taskId === 'second' && phase === 'first') {
            // Mid-task: the model is "thinking" when the orchestrator dies.
            orphans = agentProcessesUnder(cwd).map((agent) => agent.pid);
            killCli?.();
            return reply.hang();
          }
          // The agent repeats the secrets it could know: none may reach the CLI's output, log or report.
          return request.turnIndex === 0 ? reply.write(join(cwd, 'src', `${taskId}.txt`), `${taskId} done\n`, `Using ${API_KEY} and ${QODER_TOKEN}`) : reply.text(`Done with ${API_KEY}.`);
        },
      });
      cleanups.push(() => server.close());
      const common = ['--json', '--llm-provider', 'claude', '--max-parallel', '2', '--max-iterations', '1', '--project-dir', projectDir];

      const first = startCli(['Write the two files', ...common], server, home);
      killCli = () => first.child.kill('SIGKILL');
      const firstExit = await first.done;
      expect(firstExit.signal, firstExit.stderr.slice(-1500)).toBe('SIGKILL');
      const runStart = firstExit.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; runId: string })
        .find((event) => event.type === 'run-start');
      expect(runStart?.runId).toBeDefined();
      const runId = runStart!.runId;
      expect(orphans.length).toBeGreaterThan(0);

      phase = 'resume';
      const resumed = startCli(['--resume', runId, ...common], server, home);
      const resumedExit = await resumed.done;
      expect(
        resumedExit.code,
        `${resumedExit.stderr.slice(-1000)} ${resumedExit.stdout
          .split('\n')
          .filter((line) => /run-end|warning|task-end|rollback/.test(line))
          .join('\n')
          .slice(-3000)}`,
      ).toBe(0);
      const events = resumedExit.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; summary?: { status: string; tasks: { completed: number } } });
      const runEnd = events.find((event) => event.type === 'run-end');
      expect(runEnd?.summary).toMatchObject({ status: 'met', tasks: { completed: 2 } });
      // The finished task was kept, the interrupted one ran again.
      expect(starts.filter((start) => start.phase === 'resume').map((start) => start.taskId)).toEqual(['second']);
      let dataLost = 0;
      for (const id of ['first', 'second']) if (!existsSync(join(projectDir, 'src', `${id}.txt`)) || readFileSync(join(projectDir, 'src', `${id}.txt`), 'utf8') !== `${id} done\n`) dataLost += 1;
      try {
        git(projectDir, ['merge-base', '--is-ancestor', userCommit, 'HEAD']);
      } catch {
        dataLost += 1;
      }
      // Besides the checkout, only idle slots of the worktree pool remain.
      expect(worktreesBesideIdlePool(git(projectDir, ['worktree', 'list']))).toHaveLength(1);
      // Secrets: not in what the CLI printed, nor in any file of the run (events, state, orchestration.log, report.html).
      const runDirectory = join(projectDir, '.qoder-orch', 'runs', runId);
      expect(readdirSync(runDirectory)).toEqual(expect.arrayContaining(['events.ndjson', 'state.json', 'orchestration.log', 'report.html']));
      const texts = [firstExit.stdout, firstExit.stderr, resumedExit.stdout, resumedExit.stderr];
      for (const entry of readdirSync(join(projectDir, '.qoder-orch'), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) texts.push(readFileSync(join(entry.parentPath, entry.name), 'utf8'));
      }
      expect(texts.filter((text) => text.includes(API_KEY) || text.includes(QODER_TOKEN))).toHaveLength(0);
      // Not vacuous: the agent's words did reach the output, redacted.
      expect(`${firstExit.stdout}${resumedExit.stdout}`).toContain('[REDACTED]');
      // The agent the killed CLI left behind does not outlive the resumed run.
      expect(
        orphans.filter((pid) => isProcessRunning(pid)),
        'agent processes of the killed run still running',
      ).toEqual([]);
      // Task worktrees live in the (temporary) home's cache folder, outside the project.
      expect([...agentProcessesUnder(projectDir), ...agentProcessesUnder(home)]).toEqual([]);
      return { dataLost };
    });
  }, 180_000);
});
