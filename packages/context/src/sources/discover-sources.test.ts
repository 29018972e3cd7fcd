import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discoverSources } from '../index';

let projectDir: string;

beforeAll(async () => {
  projectDir = await mkdtemp(join(tmpdir(), 'qo-discover-'));
  const files = [
    'AGENTS.md',
    'CLAUDE.md',
    '.qoder/rules/style.md',
    '.qoder/repowiki/en/content/auth.md',
    '.qoder/skills/deploy.md',
    '.qoder/agents/reviewer.md',
    '.claude/agents/tester.md',
    '.claude/skills/ui/SKILL.md',
    '.claude/skills/ui/notes.md',
    'subagents/backend-dev.md',
    'wiki/db.md',
    'wiki/node_modules/skip.md',
    'docs/extra.md',
    'docs/image.png',
    'docs/wiki/setup.md',
    'notes/extra.md',
    'README.md',
    '.qoder-orch/wiki-proposals/abc.md',
  ];
  for (const file of files) {
    await mkdir(dirname(join(projectDir, file)), { recursive: true });
    await writeFile(join(projectDir, file), '# x\n\ny\n');
  }
});
afterAll(async () => {
  await rm(projectDir, { recursive: true, force: true });
});

describe('discoverSources', () => {
  test('finds every convention with its kind and origin, each file once', async () => {
    const sources = await discoverSources(projectDir, ['notes', 'docs', { path: 'wiki/db.md', kind: 'rule' }]);
    expect(sources.map((source) => `${source.kind}:${source.origin}:${source.path}`)).toEqual([
      'memory:qoder:AGENTS.md',
      'memory:claude:CLAUDE.md',
      'rule:qoder:.qoder/rules/style.md',
      'wiki:qoder:.qoder/repowiki/en/content/auth.md',
      'skill:qoder:.qoder/skills/deploy.md',
      'subagent:qoder:.qoder/agents/reviewer.md',
      'subagent:claude:.claude/agents/tester.md',
      'skill:claude:.claude/skills/ui/SKILL.md',
      'subagent:seed:subagents/backend-dev.md',
      'wiki:seed:wiki/db.md',
      // The repository's documentation is found without configuration (and first, so an extra path naming it changes nothing).
      'wiki:project:docs/extra.md',
      'wiki:project:docs/wiki/setup.md',
      'wiki:project:README.md',
      'other:extra:notes/extra.md',
    ]);
  });

  test('an extra path of the whole project still skips node_modules, .git and .qoder-orch (unreviewed proposals are not knowledge)', async () => {
    const paths = (await discoverSources(projectDir, ['.'])).map((source) => source.path);
    expect(paths).toContain('notes/extra.md');
    expect(paths.some((path) => path.includes('node_modules') || path.startsWith('.qoder-orch/'))).toBe(false);
  });

  test('an extra path outside the project is refused with PATH_OUTSIDE_PROJECT', async () => {
    const error = await discoverSources(projectDir, ['../elsewhere']).catch((caught: unknown) => caught);
    expect(OrchestratorError.isInstance(error) && error.code).toBe('PATH_OUTSIDE_PROJECT');
  });

  test('reads a bounded number of documentation files by default', async () => {
    const large = await mkdtemp(join(tmpdir(), 'qo-discover-docs-'));
    await mkdir(join(large, 'docs', 'api'), { recursive: true });
    for (let index = 0; index < 320; index += 1) await writeFile(join(large, 'docs', 'api', `page-${String(index).padStart(3, '0')}.md`), '# page\n');
    const paths = (await discoverSources(large)).map((source) => source.path);
    expect(paths).toHaveLength(300);
    expect(paths[0]).toBe('docs/api/page-000.md');
    await rm(large, { recursive: true, force: true });
  });

  test('a project with none of the conventions has no sources', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'qo-discover-empty-'));
    expect(await discoverSources(empty)).toEqual([]);
    await rm(empty, { recursive: true, force: true });
  });
});
