import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, lstatSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PlanError, Planner, builtinSubagents, createOrchestrator } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { createUserRepository, git } from './fixtures/claude-orchestration';
import { holds } from './record-case';
import { worktreesBesideIdlePool } from './worktrees-left';

// Real processes and git on a shared 2-core machine: generous per-test limits, no timed assertions.
vi.setConfig({ testTimeout: 120_000 });

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const plan = (files: string[]) => JSON.stringify({ tasks: [{ id: 'a', title: 'Touch files', agent: 'backend-dev', files }] });

/** A repository with symlinks inside it: one to a folder outside, one dangling outside, one staying inside. */
function repositoryWithLinks(): { projectDir: string; outside: string } {
  const projectDir = createUserRepository({ 'README.md': '# p\n', 'src/inside.txt': 'inside\n' });
  const outside = mkdtempSync(join(tmpdir(), 'qoder-orch-outside-'));
  directories.push(join(projectDir, '..'), outside);
  writeFileSync(join(outside, 'secret.txt'), 'outside the project\n');
  symlinkSync(outside, join(projectDir, 'linked-out'));
  symlinkSync(join(outside, 'nothing-yet', 'file.txt'), join(projectDir, 'dangling-out'));
  symlinkSync('src', join(projectDir, 'linked-in'));
  return { projectDir, outside };
}

const REFUSED: Array<{ name: string; file: string; reason: RegExp }> = [
  { name: 'parent traversal', file: '../../etc/passwd', reason: /outside the project/ },
  { name: 'traversal in the middle', file: 'src/../../outside.txt', reason: /outside the project/ },
  { name: 'absolute path', file: '/etc/passwd', reason: /outside the project/ },
  { name: 'home directory', file: '~/.ssh/id_rsa', reason: /outside the project/ },
  { name: 'symlinked folder pointing out', file: 'linked-out/secret.txt', reason: /symlink/ },
  { name: 'symlinked folder pointing out, glob', file: 'linked-out/**', reason: /symlink/ },
  { name: 'dangling symlink pointing out', file: 'dangling-out', reason: /symlink/ },
];

describe('paths', () => {
  it.each(REFUSED)('refuses a task file outside the project: $name', async ({ name, file, reason }) => {
    await holds('paths', `refused: ${name}`, async () => {
      const { projectDir } = repositoryWithLinks();
      const provider = new MockAgentProvider({ complete: [plan([file])] });
      const error = await new Planner({ provider, subagents: builtinSubagents(), maxAttempts: 1, cwd: projectDir }).plan({ objective: 'x' }).catch((caught: unknown) => caught);
      expect(PlanError.isInstance(error)).toBe(true);
      expect((error as PlanError).issues).toContainEqual(expect.objectContaining({ kind: 'path-outside-project', path: 'tasks[0].files[0]' }));
      expect((error as PlanError).message).toMatch(reason);
    });
  });

  it('accepts a symlink that stays inside the project', async () => {
    await holds('paths', 'accepted: symlink staying inside', async () => {
      const { projectDir } = repositoryWithLinks();
      const provider = new MockAgentProvider({ complete: [plan(['linked-in/inside.txt', 'src/new/**'])] });
      const outcome = await new Planner({ provider, subagents: builtinSubagents(), cwd: projectDir }).plan({ objective: 'x' });
      expect(outcome.plan.tasks[0]?.files).toEqual(['linked-in/inside.txt', 'src/new/**']);
    });
  });

  it('worktrees, checkpoints and merges write nothing beside the project (worktrees go to the user cache folder)', async () => {
    await holds('paths', 'nothing written beside the project', async () => {
      const projectDir = createUserRepository({ 'README.md': '# p\n', 'src/shared.txt': 'one\ntwo\n' });
      const parent = join(projectDir, '..');
      directories.push(parent);
      // Siblings a careless "../" would hit.
      mkdirSync(join(parent, 'sibling'));
      writeFileSync(join(parent, 'sibling', 'keep.txt'), 'keep\n');
      const listing = () =>
        readdirSync(parent, { recursive: true, withFileTypes: true })
          .filter((entry) => !join(entry.parentPath, entry.name).startsWith(projectDir))
          .map((entry) => `${join(entry.parentPath, entry.name)} ${lstatSync(join(entry.parentPath, entry.name)).size}`)
          .sort();
      const before = listing();
      const tasks = ['api', 'web', 'docs'].map((id) => ({ id, title: `Write ${id}`, agent: 'backend-dev', files: [`src/${id}.txt`], verify: [['node', '-e', '0']] }));
      const provider = new MockAgentProvider({
        complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : JSON.stringify({ tasks })),
        runTask: (options) => ({ type: 'success', delayMs: 10, files: { [`src/${options.taskId}.txt`]: `${options.taskId}\n` } }),
      });
      const summary = await createOrchestrator({
        projectDir,
        provider,
        durationHistory: false,
        config: { execution: { maxParallel: 2, maxIterations: 1, isolation: 'worktree', testCommand: ['node', '-e', '0'] }, validation: { commandPolicy: { mode: 'refuse', allow: ['node -e 0'] } } },
      }).run('Write three files');
      expect(summary.status).toBe('met');
      expect(listing()).toEqual(before);
      expect(readFileSync(join(parent, 'sibling', 'keep.txt'), 'utf8')).toBe('keep\n');
      // Inside the project, only the task files and the private folder are new.
      const untracked = git(projectDir, ['status', '--porcelain', '--ignored']).trim().split('\n').filter(Boolean);
      expect(untracked.every((line) => line.endsWith('.qoder-orch/'))).toBe(true);
      // Besides the checkout, only idle slots of the worktree pool remain.
      expect(worktreesBesideIdlePool(git(projectDir, ['worktree', 'list']))).toHaveLength(1);
    });
  });

  it("a failed run leaves no task file in the project: the user's own `node --test` sees only the user's tests", async () => {
    await holds('paths', 'no task file left in the project after a failed run', async () => {
      const projectDir = createUserRepository({ 'README.md': '# p\n', 'own.test.mjs': "import test from 'node:test';\ntest('own', () => {});\n" });
      directories.push(join(projectDir, '..'));
      const half = "import test from 'node:test';\nimport assert from 'node:assert';\ntest('half-written', () => assert.fail('not done'));\n";
      const tasks = [
        { id: 'tests', title: 'Write tests', agent: 'qa-agent', files: ['half.test.mjs'], verify: [['node', '--test']] },
        { id: 'docs', title: 'Write docs', agent: 'backend-dev', files: ['docs/guide.md'], verify: [['node', '--test']] },
      ];
      const provider = new MockAgentProvider({
        complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: false, reasoning: 'tests failed' }) : JSON.stringify({ tasks })),
        runTask: (options) => ({ type: 'success', delayMs: options.taskId === 'docs' ? 300 : 10, files: options.taskId === 'docs' ? { 'docs/guide.md': '# Guide\n' } : { 'half.test.mjs': half } }),
      });
      const summary = await createOrchestrator({
        projectDir,
        provider,
        durationHistory: false,
        config: { retry: { maxAttempts: 1 }, execution: { maxParallel: 2, maxIterations: 1, isolation: 'worktree', testCommand: ['node', '--test'] } },
      }).run('Tests and docs');
      expect(summary.status).not.toBe('met');
      expect(summary.tasks).toMatchObject({ completed: 1, failed: 1 });
      const found = readdirSync(projectDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.name === 'half.test.mjs');
      expect(found.map((entry) => join(entry.parentPath, entry.name))).toEqual([]);
      const own = execFileSync(process.execPath, ['--test'], { cwd: projectDir, encoding: 'utf8' });
      expect(own).toMatch(/^# tests 1$/m);
      expect(own).toMatch(/^# fail 0$/m);
    });
  });
});
