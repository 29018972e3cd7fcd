import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { builtinSubagents, JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER, TASK_PROMPT_MARKER } from '@qoder-orch/core';
import { createFakeAnthropicServer, type FakeAnthropicServer } from '@qoder-orch/providers/test';
import { execa } from 'execa';
import { planJsonSchema } from '../../packages/core/src/planner/planner';
import { verdictJsonSchema } from '../../packages/core/src/judge/evidence-judge';
import { claudeCompleteArguments, claudeTaskArguments } from '../../packages/providers/src/claude/claude-arguments';
import { trivialPlan, trivialTasksModel, taskFile } from '../fake-claude-model';
import { type Benchmark, compare, fixed, table } from '../harness';
import { changedSince, git, resetRepository } from '../generated-repository';
import { pool } from '../orchestrator-setup';

const TASKS = 8;
const SLOTS = 4;
const OBJECTIVE = 'Write eight short notes, one file each';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const CLAUDE = join(ROOT, 'node_modules', '.bin', 'claude');

/** Newest modification time of the non-test sources under `directory`. */
function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.includes('.test.')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The CLI runs from `dist/`: refuse to measure a build older than the sources. */
function requireFreshBuild(): void {
  for (const name of ['spec', 'core', 'providers', 'contracts', 'context', 'cli']) {
    const built = join(ROOT, 'packages', name, 'dist', 'index.js');
    if (!existsSync(built) || statSync(built).mtimeMs < newestSource(join(ROOT, 'packages', name, 'src'))) {
      throw new Error(`packages/${name}/dist is missing or older than its sources: run \`pnpm build\` first (claude-wall runs the built CLI).`);
    }
  }
  if (!existsSync(CLAUDE)) throw new Error('node_modules/.bin/claude is missing: install the devDependency @anthropic-ai/claude-code.');
}

/** What both sides share: the fake server's environment, one Claude config folder, an empty HOME, the project's `claude` on PATH. */
function environment(server: FakeAnthropicServer, scratch: string): Record<string, string> {
  return {
    PATH: [join(ROOT, 'node_modules', '.bin'), process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter),
    HOME: join(scratch, 'home'),
    ...server.env,
    CLAUDE_CONFIG_DIR: join(scratch, 'claude-config'),
    CLAUDE_CODE_MAX_RETRIES: '0',
    API_TIMEOUT_MS: '30000',
    NO_COLOR: '1',
  };
}

/** A small git project for the CLI to run in: a package.json, a README, one commit; returns its HEAD. */
async function createProject(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'package.json'), `${JSON.stringify({ name: 'notes', private: true, version: '1.0.0' }, null, 2)}\n`);
  await writeFile(join(directory, 'README.md'), '# Notes\n');
  await writeFile(join(directory, '.gitignore'), 'node_modules/\n');
  await git(directory, ['init', '-q', '-b', 'main']);
  await git(directory, ['add', '-A']);
  await git(directory, ['commit', '-q', '-m', 'Initial commit']);
  return git(directory, ['rev-parse', 'HEAD']);
}

/** The prompts the orchestrator sent in its run, read off the fake server, so the direct calls send the same text. */
interface Prompts {
  plan: string;
  tasks: string[];
  judge: string;
}

function promptsOf(server: FakeAnthropicServer): Prompts {
  const first = (marker: string) => server.requests.find((request) => request.turnIndex === 0 && request.prompt.startsWith(marker))?.prompt;
  const tasks = Array.from({ length: TASKS }, (_, index) => first(`${TASK_PROMPT_MARKER} t${index}]`));
  const plan = first(PLAN_PROMPT_MARKER);
  const judge = first(JUDGE_PROMPT_MARKER);
  if (!plan || !judge || tasks.some((task) => task === undefined)) throw new Error('the orchestrator run did not send a plan, eight task and a judge prompt');
  return { plan, tasks: tasks as string[], judge };
}

/** One `claude -p` run with the prompt on stdin; throws unless it ends in a successful result. */
async function claude(args: readonly string[], cwd: string, prompt: string, env: Record<string, string>): Promise<void> {
  const { stdout } = await execa(CLAUDE, args, { cwd, input: prompt, env, extendEnv: false });
  const result = stdout
    .split('\n')
    .filter((line) => line.includes('"type":"result"'))
    .at(-1);
  if (!result?.includes('"is_error":false')) throw new Error(`claude -p did not succeed: ${result ?? stdout.slice(-500)}`);
}

/**
 * The same model calls made directly, with the flags the Claude provider uses: one planning
 * completion, the eight task runs four at a time (the backend-dev subagent's options), one
 * judging completion.
 */
async function direct(prompts: Prompts, directory: string, env: Record<string, string>): Promise<void> {
  const subagent = builtinSubagents().find((agent) => agent.name === 'backend-dev');
  const complete = (jsonSchema: Record<string, unknown>) => claudeCompleteArguments({ jsonSchema }, { sessionId: randomUUID(), maxTurns: 4, extraArgs: [] });
  await claude(complete(planJsonSchema()), directory, prompts.plan, env);
  await pool(TASKS, SLOTS, (index) =>
    claude(
      claudeTaskArguments(
        {
          taskId: `t${index}`,
          prompt: '',
          cwd: directory,
          ...(subagent?.systemPrompt ? { systemPrompt: subagent.systemPrompt } : {}),
          ...(subagent?.tools ? { allowedTools: subagent.tools } : {}),
          ...(subagent?.maxTurns ? { maxTurns: subagent.maxTurns } : {}),
        },
        { permissionMode: subagent?.permissionMode ?? 'acceptEdits', sessionId: randomUUID(), extraArgs: [] },
      ),
      directory,
      prompts.tasks[index]!,
      env,
    ),
  );
  await claude(complete(verdictJsonSchema()), directory, prompts.judge, env);
  for (let index = 0; index < TASKS; index += 1) await readFile(join(directory, taskFile(`t${index}`)));
}

/** One run of the built CLI: `qoder-orchestrate "<objective>" --llm-provider claude`, 4 slots, worktrees, one iteration. */
async function throughCli(project: string, configFile: string, env: Record<string, string>): Promise<void> {
  const args = [CLI, OBJECTIVE, '--project-dir', project, '--config', configFile, '--llm-provider', 'claude', '--max-parallel', String(SLOTS), '--max-iterations', '1', '--isolation', 'worktree', '--no-color'];
  const result = await execa(process.execPath, args, { env, extendEnv: false, reject: false });
  // 0: met; 1: not met (the evidence judge may want checks the trivial plan does not have). Either way every task must have landed.
  if (result.exitCode !== 0 && result.exitCode !== 1) throw new Error(`the CLI failed (exit ${result.exitCode}):\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
}

/**
 * Wall time of the real `claude` binary (against a local fake Anthropic server) on 8 trivial
 * tasks at 4 slots through the CLI, against the same model calls made directly.
 */
export const claudeWall: Benchmark = {
  name: 'claude-wall',
  description: 'The real claude on 8 trivial tasks, 4 slots, through the CLI, against the same claude -p calls made directly (fake Anthropic server).',
  async run({ isQuick, log }) {
    requireFreshBuild();
    const rounds = isQuick ? 1 : 3;
    let round = 0;
    // `MODEL_LATENCY_MS`: every model reply waits this long first (both sides alike), as a real model's would; 0 by default.
    const latencyMs = Number(process.env['MODEL_LATENCY_MS'] ?? 0);
    const model = trivialTasksModel(trivialPlan(OBJECTIVE, TASKS), () => round);
    const server = await createFakeAnthropicServer({ handler: async (request) => (latencyMs > 0 ? sleep(latencyMs).then(() => model(request)) : model(request)) });
    if (latencyMs > 0) log(`Model latency: ${latencyMs} ms per reply (MODEL_LATENCY_MS).`);
    const scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-claude-wall-'));
    try {
      const env = environment(server, scratch);
      await mkdir(env['HOME']!);
      await mkdir(env['CLAUDE_CONFIG_DIR']!);
      const project = join(scratch, 'project');
      const base = await createProject(project);
      const configFile = join(scratch, 'qoder-orchestrate.yaml');
      await writeFile(configFile, `execution:\n  worktree_root: ${JSON.stringify(join(scratch, 'worktrees'))}\nsemantic_search:\n  allow_remote: false\n`);
      let hasCliRun = false;
      const cli = async () => {
        hasCliRun = true;
        await throughCli(project, configFile, env);
      };
      /** Checks that the last CLI run landed every task's file on the main branch, then resets the project to its first commit. */
      const checkCliRun = async () => {
        if (!hasCliRun) return;
        hasCliRun = false;
        const changed = new Set(await changedSince(project, base));
        const missing = Array.from({ length: TASKS }, (_, index) => taskFile(`t${index}`)).filter((file) => !changed.has(file));
        if (missing.length > 0) throw new Error(`the CLI run did not land ${missing.join(', ')} on the main branch`);
        await resetRepository(project, base);
      };
      log(`Plan (scripted by the fake server): ${TASKS} independent tasks, each one Write of its own file and a final report; ${SLOTS} slots; isolation worktree; one iteration.`);
      log('Subject: `node packages/cli/dist/bin.js "<objective>" --llm-provider claude --max-parallel 4 --isolation worktree` in a fresh git project.');
      log("Baseline: the same model calls made directly with the provider's flags and the prompts the CLI sent: one planning `claude -p`,");
      log(`the ${TASKS} task runs ${SLOTS} at a time, one judging \`claude -p\`. The first CLI run (cold, untimed in the ratio) records the prompts.`);
      log(`Rounds: ${rounds}, baseline and CLI alternated; wall times.\n`);
      round += 1;
      const coldStartedAt = performance.now();
      await cli();
      const coldMs = performance.now() - coldStartedAt;
      await checkCliRun();
      const prompts = promptsOf(server);
      let directory = '';
      const requestsPerRun = { direct: new Set<number>(), cli: new Set<number>() };
      const counted = (side: 'direct' | 'cli', body: () => Promise<void>) => async () => {
        const before = server.requests.length;
        await body();
        requestsPerRun[side].add(server.requests.length - before);
      };
      const result = await compare(
        counted('direct', () => direct(prompts, directory, env)),
        counted('cli', cli),
        {
          warmup: 0,
          runs: rounds,
          beforeEach: async (side) => {
            round += 1;
            if (side === 'baseline') directory = await mkdtemp(join(scratch, 'direct-'));
            else await checkCliRun();
          },
        },
      );
      await checkCliRun();
      const rows = result.subject.samplesMs.map((cliMs, index) => {
        const directMs = result.baseline.samplesMs[index]!;
        return [`round ${index + 1}`, fixed(directMs / 1000, 2), fixed(cliMs / 1000, 2), fixed(cliMs / directMs, 2)];
      });
      rows.push(['median', fixed(result.baseline.medianMs / 1000, 2), fixed(result.subject.medianMs / 1000, 2), fixed(result.ratio, 2)]);
      log(table(['', 'direct claude -p s', 'through the CLI s', 'ratio'], rows));
      log(`\nFirst (cold) CLI run: ${fixed(coldMs / 1000, 2)} s. Target: ratio ≤ 1.3. Model requests per run: direct ${[...requestsPerRun.direct].join('/')}, CLI ${[...requestsPerRun.cli].join('/')}.`);
    } finally {
      await server.close();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
