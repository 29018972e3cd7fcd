import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { reply } from '@qoder-orch/providers/test';
import { type AgentProcess, agentProcessesUnder } from './fixtures/agent-processes';
import { type ClaudeOrchestration, git, runClaudeOrchestration } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real processes and git on a shared 2-core machine: generous per-test limits, no timed assertions.
vi.setConfig({ testTimeout: 120_000 });

const runs: ClaudeOrchestration[] = [];
const restoreEnvironment: Array<() => void> = [];
afterEach(async () => {
  for (const restore of restoreEnvironment.splice(0)) restore();
  for (const run of runs.splice(0)) await run.cleanup();
});

function plantEnvironment(name: string, value: string): void {
  const previous = process.env[name];
  process.env[name] = value;
  restoreEnvironment.push(() => {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  });
}

/** Every file under a directory, recursively: path → content. */
function filesUnder(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(directory)) return files;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

/** Our direct children among the agent processes (the CLI itself, not the shells it starts). */
function directChildren(processes: AgentProcess[]): AgentProcess[] {
  return processes.filter((agent) => {
    try {
      const stat = readFileSync(`/proc/${agent.pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch {
      return false;
    }
  });
}

/** What the claude process may receive: the base allow-list, Claude's own variables, and our process tag. */
const ALLOWED_NAME = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TERM|TMPDIR|TMP|TEMP|SHELL|TZ|COLORTERM|NO_COLOR|FORCE_COLOR|LC_\w+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|NODE_EXTRA_CA_CERTS|NODE_TLS_REJECT_UNAUTHORIZED|SSL_CERT_(FILE|DIR)|XDG_\w+|ANTHROPIC_\w+|CLAUDE_\w+|DISABLE_\w+|API_TIMEOUT_MS|IS_SANDBOX|QODER_ORCH_PROCESS_TAG)$/;

describe.skipIf(!findClaudeExecutable())('secrets and commands, real claude against the fake server', () => {
  it('a planted token, API key and .env.local value never reach any artefact, error or command line; the child gets only allow-listed variables', async () => {
    await holds('secrets', 'planted secrets echoed by the agent, grepped in every artefact', async () => {
      const qoderToken = 'qpat-PLANTED-qoder-7f3a9c21e5d8';
      const anthropicKey = 'ant-PLANTED-apikey-4b8e2d19aa07';
      const dotenvSecret = 'stripe-PLANTED-dotenv-9d2c7e55b1';
      const unrelated = 'PLANTED-unrelated-db-pass-31f0';
      const secrets = [qoderToken, anthropicKey, dotenvSecret, unrelated];
      plantEnvironment('QODER_PERSONAL_ACCESS_TOKEN', qoderToken);
      plantEnvironment('DATABASE_PASSWORD', unrelated);
      const seen: AgentProcess[] = [];
      let prompt = '';
      const run = await runClaudeOrchestration({
        tasks: [{ id: 'leaky', files: ['src/leaky.txt'] }, { id: 'failing', files: ['src/failing.txt'] }],
        files: { 'README.md': '# project\n', '.gitignore': '.env.local\n' },
        settings: { stallTimeoutMs: 60_000 },
        config: { retry: { max_attempts: 2 } },
        beforeRun: ({ projectDir, server }) => {
          writeFileSync(join(projectDir, '.env.local'), `STRIPE_SECRET_KEY=${dotenvSecret}\nQODER_PERSONAL_ACCESS_TOKEN=${qoderToken}\n`);
          server.env['ANTHROPIC_API_KEY'] = anthropicKey;
        },
        judge: () => reply.json({ isMet: false, reasoning: `failing failed; by the way the key is ${anthropicKey} and ${dotenvSecret}` }),
        onTask: ({ request, taskId, cwd }) => {
          seen.push(...directChildren(agentProcessesUnder(cwd)));
          if (request.turnIndex === 0) prompt ||= request.prompt;
          if (taskId === 'failing') return reply.error(400, `invalid request: key ${anthropicKey} token ${qoderToken} dotenv ${dotenvSecret}`);
          if (request.turnIndex === 0) {
            // The task works in a worktree; the user's .env.local (ignored by git) is in the project.
            return reply.bash(`cat ${join(cwd, '..', '..', '..', '..', '.env.local')}; echo "key=$ANTHROPIC_API_KEY token=$QODER_PERSONAL_ACCESS_TOKEN db=$DATABASE_PASSWORD"`);
          }
          if (request.turnIndex === 1) return reply.write(join(cwd, 'src', 'leaky.txt'), 'no secrets here\n', `I saw ${anthropicKey}, ${qoderToken}, ${dotenvSecret}, ${unrelated}`);
          return reply.text(`Done. The key was ${anthropicKey}, the token ${qoderToken}, the dotenv value ${dotenvSecret}, the password ${unrelated}.`);
        },
      });
      runs.push(run);
      // The agent really saw the secrets it may see (the run is not vacuous).
      const toolOutputs = run.server.requests.flatMap((request) => request.toolResults.map((result) => result.content)).join('\n');
      expect(toolOutputs).toContain(dotenvSecret);
      expect(toolOutputs).toContain(anthropicKey);
      // …but the variables it does not need never reached it.
      expect(toolOutputs).not.toContain(`token=${qoderToken}`);
      expect(toolOutputs).not.toContain(unrelated);

      const leaks: string[] = [];
      const check = (where: string, text: string) => {
        for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where} contains ${secret}`);
      };
      for (const [path, content] of filesUnder(join(run.projectDir, '.qoder-orch'))) check(path, content);
      check('summary', JSON.stringify(run.summary));
      check('events (in memory)', JSON.stringify(run.events));
      check('git log', git(run.projectDir, ['log', '--all', '-p', '--format=%H %s%n%b']));
      for (const agent of seen) check(`argv of ${agent.pid}`, agent.argv.join(' '));
      expect(existsSync(join(run.runDirectory, 'events.ndjson'))).toBe(true);
      expect(leaks).toEqual([]);

      // Command lines: observed, and without the prompt (it goes on stdin).
      expect(seen.length).toBeGreaterThan(0);
      for (const agent of seen) {
        expect(agent.argv.join(' ')).not.toContain(prompt.slice(0, 40));
        const extra = Object.keys(agent.environment).filter((name) => !ALLOWED_NAME.test(name));
        expect(extra, `unexpected variables in the agent's environment`).toEqual([]);
        expect(agent.environment['QODER_PERSONAL_ACCESS_TOKEN']).toBeUndefined();
        expect(agent.environment['DATABASE_PASSWORD']).toBeUndefined();
      }
      // The failure is still explained, just without the secrets.
      const failing = run.summary.results.find((result) => result.taskId === 'failing');
      expect(failing?.status).toBe('failed');
      expect(failing?.error?.message).toContain('[REDACTED]');
    });
  });

  it('objective and file names with quotes, $(), backticks, newlines and unicode reach the agent verbatim, never through a shell', async () => {
    await holds('commands', 'hostile objective and file names verbatim', async () => {
      const objective = `Add "quoted" and 'single' text; run $(touch /tmp/pwned-by-objective) and \`id\`\nsecond line: ünïcødé ✓ 🚀 \\ backslash; rm -rf ~ #`;
      const fileName = `src/we ird $(touch pwned) \`id\` 'q' "dq" ü.txt`;
      const seen: AgentProcess[] = [];
      let taskPrompt = '';
      const run = await runClaudeOrchestration({
        objective,
        tasks: [{ id: 'hostile', files: [fileName], description: `Write ${fileName} exactly; $(whoami)` }],
        settings: { stallTimeoutMs: 60_000 },
        onTask: ({ request, cwd }) => {
          seen.push(...directChildren(agentProcessesUnder(cwd)));
          if (request.turnIndex === 0) {
            taskPrompt = request.prompt;
            return reply.write(join(cwd, fileName), 'content with $(x) `y`\n');
          }
          return reply.text('Written.');
        },
      });
      runs.push(run);
      const planPrompt = run.server.requests.find((request) => request.prompt.includes('[qoder-orch:plan]'))?.prompt ?? '';
      expect(planPrompt).toContain(objective);
      expect(taskPrompt).toContain(objective);
      expect(taskPrompt).toContain(fileName);
      expect(taskPrompt).toContain(`Write ${fileName} exactly; $(whoami)`);
      expect(run.summary.objective).toBe(objective);
      expect(run.summary.status).toBe('met');
      // The file landed with its exact name; nothing was executed by a shell on the way.
      expect(readFileSync(join(run.projectDir, fileName), 'utf8')).toBe('content with $(x) `y`\n');
      expect(existsSync('/tmp/pwned-by-objective')).toBe(false);
      expect(existsSync(join(run.projectDir, 'pwned'))).toBe(false);
      expect(seen.length).toBeGreaterThan(0);
      for (const agent of seen) expect(agent.argv.join('\n')).not.toContain('ünïcødé');
    });
  });
});
