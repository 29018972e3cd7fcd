import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '@qoder-orch/core';
import { MockAgentProvider, type MockStep } from '@qoder-orch/core/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_CODES, runCli } from '../index';
import { captureIo } from '../testing/capture-output';
import { createGitProject } from '../testing/git-project';

const PLAN = {
  summary: 'Server first, then its check.',
  tasks: [
    { id: 'server', title: 'Serve GET /health', agent: 'backend-dev', files: ['server.js'], verify: [['node', '--check', 'server.js']], estimateMinutes: 5 },
    { id: 'check', title: 'Check the server', agent: 'qa-agent', dependsOn: ['server'], files: ['check.js'], verify: [['node', '--test', 'check.js']], estimateMinutes: 5 },
  ],
};

const report = (files: string[]) => `Done.\n\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: 'Done.', filesChanged: files })}\n\`\`\``;
const verdict = (isMet: boolean) => JSON.stringify({ isMet, reasoning: isMet ? 'The check passed.' : 'Not done.', criteria: [{ criterion: 'GET /health works', isMet, evidence: 'node check.js' }] });

function provider(options: { isMet?: boolean; check?: MockStep[] } = {}) {
  return new MockAgentProvider({
    complete: (call) => (call.purpose === 'judge' ? verdict(options.isMet ?? true) : `\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\``),
    runTask: {
      server: [{ type: 'success', files: { 'server.js': "export const routes = { 'GET /health': () => ({ ok: true }) };\n" }, text: report(['server.js']), usage: { inputTokens: 1200, outputTokens: 300 }, costUsd: 0.02 }],
      check: options.check ?? [{ type: 'success', files: { 'check.js': "console.log('ok');\n" }, text: report(['check.js']), usage: { inputTokens: 900, outputTokens: 200 }, costUsd: 0.01 }],
    },
  });
}

describe('qoder-orchestrate "<objective>" with the real orchestrator and a mock provider', () => {
  let projectDir: string;
  beforeEach(async () => {
    // A real repository with a clean work tree, as the pre-flight checks require. It ignores
    // .qoder-orch/ itself; the last test covers a repository that does not.
    projectDir = await createGitProject({ 'README.md': '# health\n', '.gitignore': '.qoder-orch/\n' });
  });
  afterEach(async () => {
    await rm(projectDir, { recursive: true, force: true });
  });

  const runsDir = () => join(projectDir, '.qoder-orch', 'runs');

  it('runs, renders the plan, progress and summary, and leaves the log and report in the run folder (exit 0)', async () => {
    const io = captureIo({ cwd: projectDir });
    const code = await runCli(['Add a health endpoint', '--max-parallel', '2'], io, { provider: provider() });
    expect(io.stderr.text()).toBe('');
    expect(code).toBe(EXIT_CODES.met);
    const out = io.stdout.text();
    expect(out).toContain('PLAN');
    expect(out).toMatch(/server\s+\[backend-dev\]\s+Serve GET \/health/);
    expect(out).toMatch(/\] ▶ server \[backend-dev\] started/);
    expect(out).toMatch(/\] ✓ check completed \[qa-agent\]/);
    expect(out).toContain('ORCHESTRATION SUMMARY');
    expect(out).toMatch(/Tasks:\s+2 total, 2 completed, 0 failed, 0 blocked/);
    expect(out).not.toContain('\u001B[');
    const [runId] = await readdir(runsDir());
    const runDirectory = join(runsDir(), runId!);
    const files = await readdir(runDirectory);
    expect(files).toEqual(expect.arrayContaining(['state.json', 'events.ndjson', 'orchestration.log', 'report.html']));
    expect(out).toContain(`Report: ${join(runDirectory, 'report.html')}`);
    const log = await readFile(join(runDirectory, 'orchestration.log'), 'utf8');
    const events = (await readFile(join(runDirectory, 'events.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(log.trimEnd().split('\n')).toHaveLength(events.length);
    const html = await readFile(join(runDirectory, 'report.html'), 'utf8');
    expect(html).toContain('Add a health endpoint');
    expect(html.match(/<g class="bar">/g)).toHaveLength(2);
  });

  it('--json writes only event envelopes on stdout, one per line', async () => {
    const io = captureIo({ cwd: projectDir });
    expect(await runCli(['Add a health endpoint', '--json'], io, { provider: provider() })).toBe(EXIT_CODES.met);
    const lines = io.stdout.text().trimEnd().split('\n');
    const events = lines.map((line) => JSON.parse(line) as EventEnvelope);
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)!.type).toBe('run-end');
    expect(events.map((event) => event.seq)).toEqual([...events.keys()].map((index) => index + 1));
    expect(io.stderr.text()).toContain('Report: ');
  });

  it('exits 1 when the judge finds the objective not met', async () => {
    const io = captureIo({ cwd: projectDir });
    expect(await runCli(['Add a health endpoint', '--max-iterations', '1'], io, { provider: provider({ isMet: false }) })).toBe(EXIT_CODES.notMet);
    expect(io.stdout.text()).toMatch(/Result:\s+NOT MET/);
  });

  it('--plan-only prints the plan and changes nothing (exit 0)', async () => {
    const io = captureIo({ cwd: projectDir });
    expect(await runCli(['Add a health endpoint', '--plan-only'], io, { provider: provider() })).toBe(EXIT_CODES.met);
    expect(io.stdout.text()).toMatch(/check\s+\[qa-agent\]\s+Check the server\n\s+depends on: server/);
    expect(io.stdout.text()).toContain('Plan only: nothing was changed.');
    // No run is recorded and no project file is touched (.qoder-orch/cache may hold the context index).
    await expect(stat(runsDir())).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(projectDir)).filter((name) => name !== '.qoder-orch' && name !== '.git').sort()).toEqual(['.gitignore', 'README.md']);
  });

  it("starts the provider's check before the run is created, and checks it once (a run and --validate-only)", async () => {
    const checked = provider();
    const check = checked.doCheck.bind(checked);
    const runFolderExisted: boolean[] = [];
    checked.doCheck = async (options) => {
      runFolderExisted.push(
        await stat(runsDir()).then(
          () => true,
          () => false,
        ),
      );
      return check(options);
    };
    expect(await runCli(['Add a health endpoint'], captureIo({ cwd: projectDir }), { provider: checked })).toBe(EXIT_CODES.met);
    // Started beside the CLI's own start-up (preflight takes its answer), not after the run began.
    expect(runFolderExisted).toEqual([false]);
    const validated = captureIo({ cwd: projectDir });
    expect(await runCli(['--validate-only'], validated, { provider: checked })).toBe(EXIT_CODES.met);
    expect(validated.stdout.text()).toMatch(/Provider mock installed/);
    expect(checked.calls.check).toHaveLength(2);
  }, 120_000);

  it('--plan-only leaves the work tree clean, so --validate-only passes after it (a repository that does not ignore .qoder-orch/)', async () => {
    const bare = await createGitProject({ 'README.md': '# health\n' });
    try {
      expect(await runCli(['Add a health endpoint', '--plan-only'], captureIo({ cwd: bare }), { provider: provider() })).toBe(EXIT_CODES.met);
      const validated = captureIo({ cwd: bare });
      const code = await runCli(['--validate-only'], validated, { provider: provider() });
      expect(validated.stdout.text()).toMatch(/Work tree: Clean\./);
      expect(code).toBe(EXIT_CODES.met);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  }, 120_000);

  it('--resume without an id continues the newest run that has not met its objective, as --resume <id> would', async () => {
    const first = captureIo({ cwd: projectDir });
    expect(await runCli(['Add a health endpoint', '--max-iterations', '1'], first, { provider: provider({ isMet: false }) })).not.toBe(EXIT_CODES.met);
    const [runId] = await readdir(runsDir());
    const listing = captureIo({ cwd: projectDir });
    await runCli(['runs'], listing);
    expect(listing.stdout.text()).toMatch(new RegExp(`${runId}\\s+not-met`));

    const resumed = captureIo({ cwd: projectDir });
    const code = await runCli(['--resume', '--max-iterations', '2'], resumed, { provider: provider() });
    expect(resumed.stderr.text()).toBe('');
    expect(resumed.stdout.text()).toContain(`resuming ${runId}`);
    expect(code).toBe(EXIT_CODES.met);
  }, 120_000);

  it('Ctrl-C stops the run (exit 130) with a resume hint, and --resume finishes it without redoing finished tasks', async () => {
    const controller = new AbortController();
    const first = provider({ check: [{ type: 'hang' }] });
    const io = captureIo({ cwd: projectDir, abortSignal: controller.signal });
    const running = runCli(['Add a health endpoint'], io, { provider: first });
    let isSettled = false;
    void running.then(() => (isSettled = true));
    // Abort once the hanging task has started.
    while (!isSettled && !first.calls.runTask.some((call) => call.taskId === 'check')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isSettled, `the run ended before the hanging task started:\n${io.stdout.text()}`).toBe(false);
    controller.abort();
    expect(await running).toBe(EXIT_CODES.cancelled);
    const [runId] = await readdir(runsDir());
    expect(io.stdout.text()).toContain(`qoder-orchestrate --resume ${runId} --project-dir ${projectDir}`);

    const listing = captureIo({ cwd: projectDir });
    expect(await runCli(['runs'], listing)).toBe(0);
    expect(listing.stdout.text()).toMatch(new RegExp(`${runId}\\s+cancelled`));

    // The interrupted task's checkpoint is kept (resume rolls back to it) and listed.
    const checkpoints = captureIo({ cwd: projectDir });
    expect(await runCli(['checkpoints', 'list', '--run', runId!, '--json'], checkpoints)).toBe(0);
    const listed = checkpoints.stdout
      .text()
      .trimEnd()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { runId: string; taskId: string });
    expect(listed.map((entry) => entry.taskId)).toContain('check');

    const second = provider();
    const resumed = captureIo({ cwd: projectDir });
    expect(await runCli(['--resume'], resumed, { provider: second })).toBe(EXIT_CODES.met);
    expect(second.calls.runTask.map((call) => call.taskId)).toEqual(['check']);
    expect(resumed.stdout.text()).toMatch(/resuming/);

    const pruned = captureIo({ cwd: projectDir });
    expect(await runCli(['checkpoints', 'prune', '--run', runId!], pruned)).toBe(0);
    expect(pruned.stdout.text()).toMatch(new RegExp(`^Pruned \\d+ refs? \\(checkpoints, leftovers and merge records\\) of run ${runId}\\.\\n$`));
    const after = captureIo({ cwd: projectDir });
    expect(await runCli(['checkpoints', 'list', '--run', runId!], after)).toBe(0);
    expect(after.stdout.text()).toBe(`No checkpoints for run ${runId} in ${projectDir}.\n`);
  }, 120_000);

  it("keeps a failed task's worktree outside the project, tells where, and lists and prunes it with `checkpoints`", async () => {
    // The configured teardown (a script counting its runs, outside the project) runs for the worktree prune removes.
    const counter = join(tmpdir(), `qoder-orch-cli-teardowns-${process.pid}-${Date.now()}.txt`);
    const teardown = "require('fs').appendFileSync(process.argv[2], 'teardown\\n');\n";
    const failing = await createGitProject({
      'README.md': '# health\n',
      'teardown.js': teardown,
      '.qoder-orchestrate.yaml': `retry:\n  max_attempts: 1\nworkspace:\n  teardown: [[node, teardown.js, ${JSON.stringify(counter)}]]\n  teardown_timeout: 30\n`,
    });
    try {
      const failed = provider({ check: [{ type: 'success', files: { 'check.js': 'process.exit(1);\n' }, text: report(['check.js']) }] });
      const io = captureIo({ cwd: failing });
      expect(await runCli(['Add a health endpoint', '--max-iterations', '1', '--max-parallel', '2'], io, { provider: failed })).not.toBe(EXIT_CODES.met);
      const listing = captureIo({ cwd: failing });
      expect(await runCli(['checkpoints', 'worktrees', '--json'], listing)).toBe(EXIT_CODES.met);
      const kept = listing.stdout
        .text()
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { runId: string; taskId: string; path: string });
      expect(kept.map((worktree) => worktree.taskId)).toEqual(['check']);
      const [worktree] = kept;
      // Outside the project, with the failed work in it, and the user was told where.
      expect(worktree!.path.startsWith(`${failing}/`)).toBe(false);
      expect(await readFile(join(worktree!.path, 'check.js'), 'utf8')).toBe('process.exit(1);\n');
      expect(io.stdout.text()).toContain(worktree!.path);
      expect(io.stdout.text()).toContain('checkpoints worktrees');

      const teardowns = async () => (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
      const before = await teardowns();
      const pruned = captureIo({ cwd: failing });
      expect(await runCli(['checkpoints', 'prune', '--run', worktree!.runId], pruned)).toBe(EXIT_CODES.met);
      expect(pruned.stdout.text()).toContain(`Removed 1 task worktree of run ${worktree!.runId}: ${worktree!.path}.`);
      expect(await teardowns()).toBe(before + 1);
      await expect(stat(worktree!.path)).rejects.toMatchObject({ code: 'ENOENT' });
      const after = captureIo({ cwd: failing });
      expect(await runCli(['checkpoints', 'worktrees'], after)).toBe(EXIT_CODES.met);
      expect(after.stdout.text()).toBe(`No task worktrees of ${failing}.\n`);
    } finally {
      await rm(failing, { recursive: true, force: true });
      await rm(counter, { force: true });
    }
  });

  it('a bad config file is invalid input (exit 3) naming the file and key', async () => {
    await writeFile(join(projectDir, '.qoder-orchestrate.yaml'), 'execution:\n  max_parallel: lots\n');
    const io = captureIo({ cwd: projectDir });
    expect(await runCli(['Add a health endpoint'], io, { provider: provider() })).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toContain('.qoder-orchestrate.yaml');
    expect(io.stderr.text()).toContain('execution.max_parallel');
  });

  it('runs in a repository that does not ignore .qoder-orch/ (the run folder must not make the work tree dirty)', async () => {
    const bare = await createGitProject({ 'README.md': '# health\n' });
    try {
      const io = captureIo({ cwd: bare });
      const code = await runCli(['Add a health endpoint'], io, { provider: provider() });
      expect(io.stdout.text()).not.toMatch(/uncommitted changes \(\.qoder-orch/);
      expect(code).toBe(EXIT_CODES.met);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('an unknown --llm-provider is invalid input (exit 3) with the names it knows', async () => {
    const io = captureIo({ cwd: projectDir });
    expect(await runCli(['Add a health endpoint', '--llm-provider', 'no-such-agent'], io)).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toMatch(/^error: Unknown provider "no-such-agent": not one of qoder, claude, codex, gemini/);
    expect(io.stderr.text()).toMatch(/\nhint: Use qoder, claude, codex, gemini or command, or the path of a module that exports a provider\.\n$/);
  });

  it('--resume with an unknown run id is invalid input (exit 3)', async () => {
    const io = captureIo({ cwd: projectDir });
    expect(await runCli(['--resume', 'nope-123'], io, { provider: provider() })).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toContain('There is no run nope-123');
  });
});
