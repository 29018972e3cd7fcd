import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventEnvelope, MemoryRunStore, createOrchestrator } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider, type MockAgentProviderSettings } from '../test/index';

const repositories: TemporaryRepository[] = [];
const directories: string[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** Plain git as an agent (or the user) runs it: the repository's hooks and configuration apply. */
function plainGit(cwd: string, args: string[]): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...env, GIT_AUTHOR_NAME: 'U', GIT_AUTHOR_EMAIL: 'u@example.com', GIT_COMMITTER_NAME: 'U', GIT_COMMITTER_EMAIL: 'u@example.com' } });
}

/** A shell script that appends its name to `marker`. */
function plantScript(path: string, marker: string, name: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho ${name} >> '${marker}'\ncat > /dev/null 2>&1 || true\nexit 0\n`);
  chmodSync(path, 0o755);
}

const HOOKS = ['pre-commit', 'post-commit', 'post-checkout', 'post-merge', 'reference-transaction', 'pre-auto-gc', 'post-rewrite', 'post-index-change'];

/** Every file of the git directory's configuration and hooks: path → mode and content. */
function gitFiles(gitDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ['config', 'config.worktree', 'info/attributes', 'info/exclude']) {
    if (existsSync(join(gitDir, name))) files[name] = readFileSync(join(gitDir, name), 'latin1');
  }
  for (const entry of readdirSync(join(gitDir, 'hooks'), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    files[path.slice(gitDir.length + 1)] = entry.isFile() ? `${(statSync(path).mode & 0o777).toString(8)}:${readFileSync(path, 'latin1')}` : 'dir';
  }
  return files;
}

/** As `gitFiles`, without the one line every run adds to `info/exclude` (its private folder). */
function gitFilesBesidesOurs(gitDir: string): Record<string, string> {
  const files = gitFiles(gitDir);
  if (files['info/exclude'] !== undefined) files['info/exclude'] = files['info/exclude'].replace('/.qoder-orch/\n', '');
  return files;
}

type TaskSpec = { id: string; files?: string[]; verify?: string[][] };
const plan = (tasks: TaskSpec[]) => JSON.stringify({ tasks: tasks.map((task) => ({ title: `Do ${task.id}`, agent: 'backend-dev', files: [`src/${task.id}.txt`], ...task })) });

async function run(repository: TemporaryRepository, tasks: TaskSpec[], runTask: NonNullable<MockAgentProviderSettings['runTask']>, execution: Record<string, unknown> = {}) {
  const provider = new MockAgentProvider({ complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : plan(tasks)), runTask });
  const orchestrator = createOrchestrator({
    projectDir: repository.root,
    provider,
    runStore: new MemoryRunStore(),
    random: () => 0.5,
    config: { execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', '-e', '0'], ...execution }, validation: { commandPolicy: { mode: 'refuse', allow: ['node -e **'] } } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  const summary = await orchestrator.run('Build it');
  const tampering = events.filter((event): event is EventEnvelope<'repository-tampered'> => event.type === 'repository-tampered');
  const warnings = events.filter((event): event is EventEnvelope<'warning'> => event.type === 'warning').map((event) => event.message);
  return { summary, events, tampering, warnings };
}

function markerFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'qoder-orch-marker-'));
  directories.push(directory);
  return join(directory, 'ran');
}

describe('a run against a repository whose hooks and configuration run programs', () => {
  it.each(['worktree', 'shared'] as const)('never runs a hook, the hooks path or the fs monitor in its own git commands (isolation %s)', async (isolation) => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const marker = markerFile();
    const gitDir = join(repository.root, '.git');
    for (const hook of HOOKS) plantScript(join(gitDir, 'hooks', hook), marker, hook);
    const hooksPath = join(repository.root, '..', `${repository.root.split('/').pop()}-hooks`);
    directories.push(hooksPath);
    for (const hook of HOOKS) plantScript(join(hooksPath, hook), marker, `hooksPath/${hook}`);
    plantScript(join(hooksPath, 'fsmonitor'), marker, 'fsmonitor');
    plainGit(repository.root, ['config', 'core.hooksPath', hooksPath]);
    plainGit(repository.root, ['config', 'core.fsmonitor', join(hooksPath, 'fsmonitor')]);
    const before = gitFiles(gitDir);

    const { summary, tampering } = await run(
      repository,
      // Checks in the task's tree and again after its merge: more of our git around each task.
      [
        { id: 'api', verify: [['node', '-e', '0']] },
        { id: 'web', verify: [['node', '-e', '0']] },
      ],
      (options) => ({ type: 'success', delayMs: 10, files: { [`src/${options.taskId}.txt`]: `${options.taskId}\n` } }),
      { isolation },
    );

    expect(summary.status).toBe('met');
    expect(summary.results.every((result) => result.commit !== undefined)).toBe(true);
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
    // The user's own hooks and settings are theirs: kept, not reported.
    expect(tampering).toEqual([]);
    expect(gitFilesBesidesOurs(gitDir)).toEqual(before);
    // The hooks are live: the user's own git runs them (so the assertion above could fail).
    plainGit(repository.root, ['commit', '-q', '--allow-empty', '-m', 'user']);
    expect(readFileSync(marker, 'utf8')).toContain('hooksPath/pre-commit');
  });

  it('undoes and reports git configuration and hooks an agent changed from its worktree; none of it runs, during the run or after', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const marker = markerFile();
    const gitDir = join(repository.root, '.git');
    plainGit(repository.root, ['config', 'user.email', 'user@example.com']);
    const before = gitFiles(gitDir);

    const { summary, tampering, warnings } = await run(repository, [{ id: 'api' }, { id: 'web' }], (options) => {
      if (options.taskId === 'api') {
        const commonDir = plainGit(options.cwd, ['rev-parse', '--path-format=absolute', '--git-common-dir']).trim();
        plainGit(options.cwd, ['config', 'core.hooksPath', join(tmpdir(), 'planted-hooks')]);
        plainGit(options.cwd, ['config', 'alias.co', `!echo alias >> '${marker}'`]);
        plainGit(options.cwd, ['config', 'user.email', 'evil@example.com']);
        // A clean filter runs when git reads the files: our commit of this very task would run it.
        plainGit(options.cwd, ['config', 'filter.evil.clean', `sh -c "echo filter >> '${marker}'; cat"`]);
        writeFileSync(join(options.cwd, '.gitattributes'), '*.txt filter=evil\n');
        plantScript(join(commonDir, 'hooks', 'post-checkout'), marker, 'planted post-checkout');
        plantScript(join(commonDir, 'hooks', 'nested', 'helper'), marker, 'planted helper');
      }
      return { type: 'success', delayMs: options.taskId === 'api' ? 10 : 200, files: { [`src/${options.taskId}.txt`]: `${options.taskId}\n` } };
    });

    expect(summary.status).toBe('met');
    expect(gitFilesBesidesOurs(gitDir)).toEqual(before);
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
    const config = tampering.find((event) => event.kind === 'git-config');
    expect(config?.taskIds).toContain('api');
    expect(config?.changes).toEqual(expect.arrayContaining(['core.hookspath added', 'alias.co added', 'user.email changed', 'filter.evil.clean added']));
    const hooks = tampering.find((event) => event.kind === 'git-hooks');
    expect(hooks).toMatchObject({ changes: ['hooks/nested/helper added', 'hooks/post-checkout added'] });
    expect(hooks?.taskIds).toContain('api');
    expect(warnings.some((warning) => warning.includes('git configuration was changed') && warning.includes('core.hookspath'))).toBe(true);
    expect(warnings.some((warning) => warning.includes('Git hooks were planted') && warning.includes('hooks/post-checkout'))).toBe(true);
    // Values never reach the report.
    expect(JSON.stringify(tampering)).not.toContain('evil@example.com');
    // The user's next checkout runs nothing planted.
    plainGit(repository.root, ['checkout', '-q', '-b', 'next']);
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
    expect(plainGit(repository.root, ['config', 'user.email']).trim()).toBe('user@example.com');
  });

  it("reports files a task wrote in the project checkout instead of its worktree, takes them out, and keeps the user's set-aside work", async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n', 'src/keep.txt': 'keep\n' });
    repositories.push(repository);
    // The user's uncommitted work, set aside for the run (`allow_dirty`) and put back after it.
    await repository.write('README.md', '# app, edited by the user\n');
    await repository.write('notes.txt', 'user notes\n');

    const { summary, tampering, warnings } = await run(
      repository,
      [{ id: 'api' }, { id: 'web' }],
      (options) => ({
        type: 'success',
        delayMs: 10,
        files: options.taskId === 'api' ? { 'src/api.txt': 'api\n', [join(repository.root, 'src/stray.txt')]: 'stray\n', [join(repository.root, 'src/keep.txt')]: 'overwritten by api\n' } : { 'src/web.txt': 'web\n' },
      }),
      { allowDirty: true, isolation: 'worktree' },
    );

    expect(summary.status).toBe('met');
    const outside = tampering.find((event) => event.kind === 'outside-worktree');
    expect(outside?.changes.sort()).toEqual(['src/keep.txt', 'src/stray.txt']);
    expect(outside?.taskIds).toContain('api');
    expect(outside?.keptRef).toMatch(/^refs\/qoder-orch\/leftovers\//);
    expect(await repository.git(['show', `${outside?.keptRef}:src/stray.txt`])).toBe('stray\n');
    expect(await repository.git(['show', `${outside?.keptRef}:src/keep.txt`])).toBe('overwritten by api\n');
    expect(warnings.some((warning) => warning.includes('outside the task worktrees') && warning.includes('src/stray.txt'))).toBe(true);
    expect(warnings.some((warning) => warning.includes('discarded without rollback'))).toBe(false);
    // The tasks' own work landed; the stray writes did not; the user's work is back.
    expect((await repository.read('src/api.txt')).toString()).toBe('api\n');
    expect((await repository.read('src/web.txt')).toString()).toBe('web\n');
    expect((await repository.read('src/keep.txt')).toString()).toBe('keep\n');
    expect(existsSync(join(repository.root, 'src/stray.txt'))).toBe(false);
    expect((await repository.read('README.md')).toString()).toBe('# app, edited by the user\n');
    expect((await repository.read('notes.txt')).toString()).toBe('user notes\n');
    expect((await repository.git(['ls-files', 'src'])).trim().split('\n').sort()).toEqual(['src/api.txt', 'src/keep.txt', 'src/web.txt']);
  });
});
