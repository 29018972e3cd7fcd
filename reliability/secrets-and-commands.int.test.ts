import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { createFakeAnthropicServer, reply } from '@qoder-orch/providers/test';
import { type AgentProcess, agentProcessesUnder } from './fixtures/agent-processes';
import { type ClaudeOrchestration, createUserRepository, git, runClaudeOrchestration, taskIdOf, workingDirectoryOf } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real processes and git on a shared 2-core machine: generous per-test limits, no timed assertions.
vi.setConfig({ testTimeout: 120_000 });

const runs: ClaudeOrchestration[] = [];
const restoreEnvironment: Array<() => void> = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const restore of restoreEnvironment.splice(0)) restore();
  for (const run of runs.splice(0)) await run.cleanup();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));

/** The forms a leaked secret would be found in: raw, JSON-escaped, base64, URL-encoded, HTML-escaped. */
function leakedForms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
    encodeURIComponent(secret),
    secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  ];
}

/** Every file under a directory (but those skipped), recursively: path → content read as UTF-8. */
function filesUnder(directory: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(directory)) return files;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !skip(path)) files.set(path, readFileSync(path, 'utf8'));
  }
  return files;
}

function plantEnvironment(name: string, value: string): void {
  const previous = process.env[name];
  process.env[name] = value;
  restoreEnvironment.push(() => {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  });
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

/** What the claude process may receive: the base allow-list, Claude's own variables, our process tag and the ports reserved for the task. */
const ALLOWED_NAME =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TERM|TMPDIR|TMP|TEMP|SHELL|TZ|COLORTERM|NO_COLOR|FORCE_COLOR|LC_\w+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|NODE_EXTRA_CA_CERTS|NODE_TLS_REJECT_UNAUTHORIZED|SSL_CERT_(FILE|DIR)|XDG_\w+|ANTHROPIC_\w+|CLAUDE_\w+|DISABLE_\w+|API_TIMEOUT_MS|IS_SANDBOX|QODER_ORCH_PROCESS_TAG|PORT|QODER_ORCH_PORT_RANGE|QODER_ORCH_SLOT)$/;

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
      let userProjectDir = '';
      const run = await runClaudeOrchestration({
        tasks: [
          { id: 'leaky', files: ['src/leaky.txt'] },
          { id: 'failing', files: ['src/failing.txt'] },
        ],
        files: { 'README.md': '# project\n', '.gitignore': '.env.local\n' },
        settings: { stallTimeoutMs: 60_000 },
        config: { retry: { maxAttempts: 2 } },
        beforeRun: ({ projectDir, server }) => {
          userProjectDir = projectDir;
          writeFileSync(join(projectDir, '.env.local'), `STRIPE_SECRET_KEY=${dotenvSecret}\nQODER_PERSONAL_ACCESS_TOKEN=${qoderToken}\n`);
          server.env['ANTHROPIC_API_KEY'] = anthropicKey;
        },
        judge: () => reply.json({ isMet: false, reasoning: `failing failed; by the way the key is ${anthropicKey} and ${dotenvSecret}` }),
        onTask: ({ request, taskId, cwd }) => {
          seen.push(...directChildren(agentProcessesUnder(cwd)));
          if (request.turnIndex === 0) prompt ||= request.prompt;
          if (taskId === 'failing') return reply.error(400, `invalid request: key ${anthropicKey} token ${qoderToken} dotenv ${dotenvSecret}`);
          if (request.turnIndex === 0) {
            // The task works in a worktree (outside the project); the user's .env.local (ignored by git) is in the project.
            return reply.bash(`cat ${join(userProjectDir, '.env.local')}; echo "key=$ANTHROPIC_API_KEY token=$QODER_PERSONAL_ACCESS_TOKEN db=$DATABASE_PASSWORD"`);
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

  it('secrets with quotes, backslashes and non-ASCII, echoed by the model everywhere it can, are in no artefact, CLI output or git object, in any encoding', async () => {
    await holds('secrets', 'hostile secret values echoed in plan, output, reports, registry, wiki, verdict and errors; CLI --json, files and git history grepped in 5 encodings', async () => {
      // Quotes, backslashes and non-ASCII: JSON-escaped they differ from raw, the old redaction missed them.
      const qoderToken = 'qpat-"PLANTED\\tök✓-7f3a9c21';
      // Sent as a header by claude: printable ASCII only, still with a quote and a backslash.
      const anthropicKey = 'ant-"PLANTED\\key-4b8e2d19aa07';
      const dotenvSecret = `stripe-"PLANTED"\\dotenv-ü✓-9d2c7e`;
      const urlPassword = 'pässwörd"-31f0c';
      const unrelated = 'db-"PLANTED\\pass-ñ-55e1';
      const secrets = [qoderToken, anthropicKey, dotenvSecret, urlPassword, unrelated];
      const projectDir = createUserRepository({ 'README.md': '# project\n', '.gitignore': '.env.local\n.qoder-orch/\n' });
      const home = mkdtempSync(join(tmpdir(), 'qoder-orch-secrets-home-'));
      cleanups.push(
        () => rmSync(join(projectDir, '..'), { recursive: true, force: true }),
        () => rmSync(home, { recursive: true, force: true }),
      );
      // Single quotes: dotenv takes the value literally.
      writeFileSync(join(projectDir, '.env.local'), `STRIPE_SECRET_KEY='${dotenvSecret}'\nDATABASE_URL=postgres://app:${encodeURIComponent(urlPassword)}@db/app\n`);
      const echo = (where: string) =>
        `${where}: token ${qoderToken}, key ${anthropicKey}, dotenv ${dotenvSecret}, db ${urlPassword}, other ${unrelated}; ` +
        `base64 ${Buffer.from(qoderToken).toString('base64')} url ${encodeURIComponent(dotenvSecret)} json ${JSON.stringify(anthropicKey)}`;
      const server = await createFakeAnthropicServer({
        handler: (request) => {
          if (request.prompt.includes(PLAN_PROMPT_MARKER)) {
            return reply.json({
              summary: echo('plan summary'),
              tasks: [
                { id: 'leaky', title: `Write leaky ${qoderToken}`, description: echo('description'), agent: 'backend-dev', files: ['src/leaky.txt'], verify: [['node', '-e', '0', anthropicKey]] },
                { id: 'failing', title: `Write failing ${dotenvSecret}`, agent: 'backend-dev', files: ['src/failing.txt'] },
              ],
            });
          }
          if (request.prompt.includes(JUDGE_PROMPT_MARKER)) {
            return reply.json({
              isMet: false,
              reasoning: echo('judge'),
              criteria: [{ criterion: `no ${dotenvSecret}`, isMet: false, evidence: echo('criterion') }],
              followUpTasks: [{ id: 'follow-up', title: `Fix ${qoderToken}`, description: echo('follow-up'), agent: 'backend-dev', files: ['src/failing.txt'] }],
            });
          }
          const taskId = taskIdOf(request);
          if (!taskId) return reply.text('OK.');
          const cwd = workingDirectoryOf(request);
          if (taskId === 'failing') return reply.error(400, `invalid request: ${echo('api error')}`);
          if (request.turnIndex === 0) return reply.bash(`cat ${join(projectDir, '.env.local')}; printf '%s' "$ANTHROPIC_API_KEY" | base64; echo "${echo('command').replace(/["\\$`]/g, '\\$&')}"`, echo('before the command'));
          if (request.turnIndex === 1) return reply.write(join(cwd, 'src', 'leaky.txt'), 'no secrets here\n', echo('while writing'));
          const report = {
            status: 'success',
            summary: echo('report summary'),
            filesChanged: ['src/leaky.txt'],
            deviations: [{ wikiSource: 'README.md', observed: echo('deviation') }],
            interfaces: [{ name: `Leaky ${qoderToken}`, kind: 'model', file: 'src/leaky.txt', fields: [`token: ${dotenvSecret}`], signature: echo('signature') }],
          };
          return reply.text(`${echo('final message')}\n\n\`\`\`json\n${JSON.stringify(report)}\n\`\`\`\n`);
        },
      });
      cleanups.push(() => server.close());
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: home,
        ...server.env,
        ANTHROPIC_API_KEY: anthropicKey,
        QODER_PERSONAL_ACCESS_TOKEN: qoderToken,
        DATABASE_PASSWORD: unrelated,
        CLAUDE_CODE_MAX_RETRIES: '0',
        API_TIMEOUT_MS: '120000',
        QODER_ORCH_SEMANTIC_SEARCH: 'false',
        NO_COLOR: '1',
      };
      const args = ['Write the files', '--json', '--llm-provider', 'claude', '--max-parallel', '2', '--max-iterations', '1', '--project-dir', projectDir];
      const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      // Not met (one task fails), but the run went through: exit 1, every artefact written.
      expect(code, stderr.slice(-2000)).toBe(1);
      const runId = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; runId: string })
        .find((event) => event.type === 'run-start')!.runId;
      const runDirectory = join(projectDir, '.qoder-orch', 'runs', runId);
      expect(readdirSync(runDirectory)).toEqual(expect.arrayContaining(['events.ndjson', 'state.json', 'plan.json', 'orchestration.log', 'report.html', 'tasks']));

      // The model really saw and echoed the secrets (the case is not vacuous).
      const toolOutputs = server.requests.flatMap((request) => request.toolResults.map((result) => result.content)).join('\n');
      expect(toolOutputs).toContain(dotenvSecret);
      expect(toolOutputs).toContain(Buffer.from(anthropicKey).toString('base64'));

      const gitDirectory = join(projectDir, '.git');
      const texts = new Map<string, string>([
        ['CLI stdout (--json)', stdout],
        ['CLI stderr', stderr],
        ['git log -p --all', git(projectDir, ['log', '--all', '-p', '--format=%H %s%n%b'])],
        ['git refs', git(projectDir, ['for-each-ref', '--format=%(refname) %(objectname)'])],
        // Every object, reachable or not (dangling commits, set-aside work, checkpoints).
        ['git objects', execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: projectDir, maxBuffer: 256 * 1024 * 1024 }).toString('utf8')],
        ...filesUnder(join(projectDir, '.qoder-orch')),
        ...filesUnder(join(projectDir, 'specs')),
        // Reflogs, packed refs, messages, worktree records: everything but the compressed objects.
        ...filesUnder(gitDirectory, (path) => path.startsWith(join(gitDirectory, 'objects'))),
      ]);
      const leaks: string[] = [];
      for (const [where, text] of texts) {
        for (const secret of secrets) for (const form of leakedForms(secret)) if (text.includes(form)) leaks.push(`${where} contains ${JSON.stringify(form)}`);
      }
      expect(leaks).toEqual([]);

      // …and what the model said still arrived, redacted: the plan, the registry, the wiki proposal, the verdict, the error.
      expect(stdout).toContain('[REDACTED]');
      const objects = texts.get('git objects')!;
      expect(objects).toMatch(/"name": "Leaky \[REDACTED\]"/);
      expect(objects).toMatch(/"title": "Write leaky \[REDACTED\]"/);
      const proposals = [...filesUnder(join(projectDir, '.qoder-orch', 'wiki-proposals')).values()];
      expect(proposals.length).toBeGreaterThan(0);
      expect(proposals.join('\n')).toContain('deviation: token [REDACTED]');
      const state = JSON.parse(readFileSync(join(runDirectory, 'state.json'), 'utf8')) as { verdicts: Array<{ reasoning: string }>; tasks: Record<string, { result?: { error?: { message: string } } }> };
      expect(state.verdicts[0]?.reasoning).toContain('judge: token [REDACTED]');
      expect(state.tasks['failing']?.result?.error?.message).toContain('[REDACTED]');
      expect(readFileSync(join(runDirectory, 'report.html'), 'utf8')).toContain('[REDACTED]');
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
