import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { reply } from '@qoder-orch/providers/test';
import { type ClaudeOrchestration, git, runClaudeOrchestration, writesItsFile } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real processes and git on a shared 2-core machine: generous per-test limits, no timed assertions.
vi.setConfig({ testTimeout: 150_000 });

const runs: ClaudeOrchestration[] = [];
const directories: string[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.cleanup();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/**
 * A place outside the repository where planted programs note that they ran, and who ran them:
 * an agent's own git (Claude Code runs git in its worktree; its processes carry our process
 * tag) or anything else (the orchestrator's git, the user's). `note <name>` notes; `filter`
 * notes, then passes its input through (a clean filter).
 */
function markerFile(): { note: string; filter: string; read: () => string; outsideAgents: () => string[] } {
  const directory = mkdtempSync(join(tmpdir(), 'qoder-orch-tamper-'));
  directories.push(directory);
  const path = join(directory, 'ran');
  const note = join(directory, 'note');
  writeFileSync(note, `#!/bin/sh\nif [ -n "$QODER_ORCH_PROCESS_TAG" ]; then who="by the agent"; else who="outside the agent"; fi\necho "$1 $who" >> '${path}'\nexit 0\n`);
  chmodSync(note, 0o755);
  const filter = join(directory, 'filter');
  writeFileSync(filter, `#!/bin/sh\n'${note}' filter\nexec cat\n`);
  chmodSync(filter, 0o755);
  const read = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return {
    note,
    filter,
    read,
    outsideAgents: () =>
      read()
        .split('\n')
        .filter((line) => line.endsWith('outside the agent')),
  };
}

function hookScript(note: string, name: string): string {
  return `#!/bin/sh\n'${note}' ${name}\nexit 0\n`;
}

/** The git directory's configuration, attributes, excludes (minus the run's own line) and hooks: path → mode and content. */
function gitFiles(projectDir: string): Record<string, string> {
  const gitDir = join(projectDir, '.git');
  const files: Record<string, string> = {};
  for (const name of ['config', 'config.worktree', 'info/attributes', 'info/exclude']) {
    if (existsSync(join(gitDir, name))) files[name] = readFileSync(join(gitDir, name), 'latin1');
  }
  if (files['info/exclude'] !== undefined) files['info/exclude'] = files['info/exclude'].replace('/.qoder-orch/\n', '');
  for (const entry of readdirSync(join(gitDir, 'hooks'), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    files[path.slice(gitDir.length + 1)] = entry.isFile() ? `${(statSync(path).mode & 0o777).toString(8)}:${readFileSync(path, 'latin1')}` : 'dir';
  }
  return files;
}

const tampered = (events: EventEnvelope[]) => events.filter((event): event is EventEnvelope<'repository-tampered'> => event.type === 'repository-tampered');
const warnings = (events: EventEnvelope[]) => events.filter((event): event is EventEnvelope<'warning'> => event.type === 'warning').map((event) => event.message);

const HOOKS = ['pre-commit', 'post-commit', 'post-checkout', 'post-merge', 'reference-transaction', 'post-index-change'];

describe.skipIf(!findClaudeExecutable())('repository tampering, real claude against the fake server', () => {
  it("the repository's hooks and fs monitor never run in the orchestrator's own git commands", async () => {
    await holds('repository tampering', 'hooks and fs monitor of the repository never run in our git', async () => {
      const marker = markerFile();
      const run = await runClaudeOrchestration({
        tasks: [
          { id: 'api', files: ['src/api.txt'] },
          { id: 'web', files: ['src/web.txt'] },
        ],
        config: { execution: { isolation: 'worktree' } },
        beforeRun: ({ projectDir }) => {
          for (const hook of HOOKS) {
            writeFileSync(join(projectDir, '.git', 'hooks', hook), hookScript(marker.note, hook));
            chmodSync(join(projectDir, '.git', 'hooks', hook), 0o755);
          }
          writeFileSync(join(projectDir, '.git', 'fsmonitor'), hookScript(marker.note, 'fsmonitor'));
          chmodSync(join(projectDir, '.git', 'fsmonitor'), 0o755);
          git(projectDir, ['config', 'core.fsmonitor', join(projectDir, '.git', 'fsmonitor')]);
        },
      });
      runs.push(run);
      expect(run.summary.status).toBe('met');
      expect(readFileSync(join(run.projectDir, 'src/api.txt'), 'utf8')).toBe('api done\n');
      expect(readFileSync(join(run.projectDir, 'src/web.txt'), 'utf8')).toBe('web done\n');
      // The user's hooks and fs monitor are theirs: the agent's own git may run them; ours never does.
      expect(marker.outsideAgents()).toEqual([]);
      expect(tampered(run.events)).toEqual([]);
      // The hooks are live for the user's own git: the assertion above could fail.
      git(run.projectDir, ['commit', '-q', '--allow-empty', '-m', 'user']);
      expect(marker.outsideAgents()).toContain('pre-commit outside the agent');
    });
  });

  it('git config and hooks an agent changes from its worktree are undone and reported, and run nothing', async () => {
    const marker = markerFile();
    let before: Record<string, string> = {};
    const run = await runClaudeOrchestration({
      tasks: [
        { id: 'evil', files: ['src/evil.txt'] },
        { id: 'good', files: ['src/good.txt'] },
      ],
      config: { execution: { isolation: 'worktree' } },
      beforeRun: ({ projectDir }) => {
        git(projectDir, ['config', 'user.email', 'user@example.com']);
        before = gitFiles(projectDir);
      },
      onTask: (input) => {
        if (input.taskId !== 'evil') return writesItsFile()(input);
        const { request, cwd } = input;
        if (request.turnIndex === 0) {
          // What a stray agent does with Bash from its worktree: every change lands in the shared git directory.
          const hook = `"$(git rev-parse --path-format=absolute --git-common-dir)/hooks/post-checkout"`;
          return reply.bash(
            [
              `git config core.hooksPath '${join(tmpdir(), 'planted-hooks')}'`,
              `git config alias.co '!${marker.note} alias'`,
              'git config user.email evil@example.com',
              `git config filter.evil.clean '${marker.filter}'`,
              `printf '*.txt filter=evil\\n' > .gitattributes`,
              `printf '#!/bin/sh\\n${marker.note} planted-post-checkout\\n' > ${hook}`,
              `chmod +x ${hook}`,
            ].join(' && '),
          );
        }
        if (request.turnIndex === 1) return reply.write(join(cwd, 'src', 'evil.txt'), 'evil done\n');
        return reply.text('Done.');
      },
    });
    runs.push(run);
    await holds('repository tampering', 'git config set from a worktree (hooksPath, alias, user.email, filter) undone and reported', () => {
      expect(run.summary.status).toBe('met');
      // A look made while the agent's commands still run (another task's start or commit) finds the first changes and undoes them; a later look finds the rest.
      const configs = tampered(run.events).filter((event) => event.kind === 'git-config');
      expect(configs.length).toBeGreaterThan(0);
      for (const config of configs) expect(config.taskIds).toContain('evil');
      expect(configs.flatMap((config) => config.changes)).toEqual(expect.arrayContaining(['core.hookspath added', 'alias.co added', 'user.email changed', 'filter.evil.clean added']));
      expect(warnings(run.events).some((warning) => warning.includes('git configuration was changed') && warning.includes('alias.co'))).toBe(true);
      expect(JSON.stringify(tampered(run.events))).not.toContain('evil@example.com');
      expect(git(run.projectDir, ['config', 'user.email']).trim()).toBe('user@example.com');
      expect(
        git(run.projectDir, ['config', '--list'])
          .split('\n')
          .filter((line) => /^(alias\.|filter\.|core\.hookspath=)/.test(line)),
      ).toEqual([]);
    });
    await holds('repository tampering', 'hook planted in the shared git directory removed and reported; nothing planted ran, during the run or at the next checkout', () => {
      const hooks = tampered(run.events).find((event) => event.kind === 'git-hooks');
      expect(hooks).toMatchObject({ changes: ['hooks/post-checkout added'] });
      expect(hooks?.taskIds).toContain('evil');
      expect(gitFiles(run.projectDir)).toEqual(before);
      // The agent ran its own planted programs (that is its business); nothing else ever did.
      expect(marker.outsideAgents()).toEqual([]);
      git(run.projectDir, ['checkout', '-q', '-b', 'after-the-run']);
      git(run.projectDir, ['add', '-A']);
      expect(marker.outsideAgents()).toEqual([]);
    });
  });

  it("writes into the project checkout are reported as outside the worktree, taken out and kept; the user's set-aside work is back", async () => {
    let projectDir = '';
    const run = await runClaudeOrchestration({
      tasks: [
        { id: 'stray', files: ['src/stray.txt'] },
        { id: 'good', files: ['src/good.txt'] },
      ],
      files: { 'README.md': '# project\n', 'src/shared.txt': 'shared\n' },
      config: { execution: { isolation: 'worktree', allowDirty: true } },
      beforeRun: (context) => {
        projectDir = context.projectDir;
        writeFileSync(join(projectDir, 'README.md'), '# project, edited by the user\n');
        mkdirSync(join(projectDir, 'notes'), { recursive: true });
        writeFileSync(join(projectDir, 'notes', 'todo.txt'), 'user notes\n');
      },
      onTask: (input) => {
        if (input.taskId !== 'stray') return writesItsFile()(input);
        const { request, cwd } = input;
        if (request.turnIndex === 0) return reply.bash(`printf 'outside\\n' > '${join(projectDir, 'src', 'outside.txt')}' && printf 'clobbered\\n' > '${join(projectDir, 'src', 'shared.txt')}'`);
        if (request.turnIndex === 1) return reply.write(join(cwd, 'src', 'stray.txt'), 'stray done\n');
        return reply.text('Done.');
      },
    });
    runs.push(run);
    await holds('repository tampering', "writes into the project checkout reported as outside the worktree, kept, and nothing of the user's lost", () => {
      expect(run.summary.status).toBe('met');
      // One finding, or two when a look (at the other task's end) fell between the agent's two writes (seen on CI).
      const outsideAll = tampered(run.events).filter((event) => event.kind === 'outside-worktree');
      expect([...new Set(outsideAll.flatMap((event) => event.changes))].sort()).toEqual(['src/outside.txt', 'src/shared.txt']);
      const outside = outsideAll.find((event) => event.changes.includes('src/outside.txt'));
      for (const event of outsideAll) expect(event.taskIds).toContain('stray');
      expect(git(run.projectDir, ['show', `${outside?.keptRef}:src/outside.txt`])).toBe('outside\n');
      expect(warnings(run.events).some((warning) => warning.includes('outside the task worktrees') && warning.includes('src/outside.txt'))).toBe(true);
      expect(warnings(run.events).some((warning) => warning.includes('discarded without rollback'))).toBe(false);
      expect(readFileSync(join(run.projectDir, 'src', 'shared.txt'), 'utf8')).toBe('shared\n');
      expect(existsSync(join(run.projectDir, 'src', 'outside.txt'))).toBe(false);
      expect(readFileSync(join(run.projectDir, 'src', 'stray.txt'), 'utf8')).toBe('stray done\n');
      const userFiles: Array<[string, string]> = [
        ['README.md', '# project, edited by the user\n'],
        ['notes/todo.txt', 'user notes\n'],
      ];
      const lost = userFiles.filter(([path, content]) => !existsSync(join(run.projectDir, path)) || readFileSync(join(run.projectDir, path), 'utf8') !== content);
      return { dataLost: lost.length };
    });
  });
});
