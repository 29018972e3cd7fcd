import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWikiLearner } from '../index';

const run = promisify(execFile);
let root: string;
let repoCount = 0;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' },
  });
  return stdout;
}

/** A real repository with one wiki page and one source file, committed. */
async function newRepo(): Promise<string> {
  repoCount += 1;
  const dir = join(root, `repo-${repoCount}`);
  await mkdir(join(dir, 'wiki'), { recursive: true });
  await writeFile(join(dir, 'wiki/api.md'), '# API\n\nThe /users endpoint is paginated with page=.\n');
  await writeFile(join(dir, 'openapi.yaml'), 'openapi: 3.0.0\n');
  await writeFile(join(dir, 'app.ts'), 'export const x = 1;\n');
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

const DEVIATION = { wikiSource: 'wiki/api.md', observed: 'The existing code paginates /users with cursor=, not page=.' };
const EVIDENCE = ['src/users.ts:12 reads req.query.cursor', 'npm test: 14 passed'];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qo-wiki-learner-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createWikiLearner', () => {
  test('propose writes a reviewable proposal with its evidence and never touches the wiki; the same finding twice is one proposal', async () => {
    const dir = await newRepo();
    const learner = createWikiLearner({ projectDir: dir });
    const [proposal] = await learner.propose({ origin: 'agent', runId: 'r1', taskId: 'api', deviations: [DEVIATION], evidence: [EVIDENCE[0]!] });
    expect(proposal).toMatchObject({ status: 'proposed', wikiSource: 'wiki/api.md', origin: 'agent', taskId: 'api', observed: DEVIATION.observed });
    const files = (await readdir(join(dir, '.qoder-orch/wiki-proposals'))).sort();
    expect(files).toEqual([`${proposal!.id}.json`, `${proposal!.id}.md`]);
    const review = await readFile(join(dir, '.qoder-orch/wiki-proposals', `${proposal!.id}.md`), 'utf8');
    expect(review).toContain(DEVIATION.observed);
    expect(review).toContain(EVIDENCE[0]);
    expect(review).toContain('Target: wiki/api.md');
    expect(await readFile(join(dir, 'wiki/api.md'), 'utf8')).toBe('# API\n\nThe /users endpoint is paginated with page=.\n');

    const [again] = await learner.propose({ origin: 'judge', deviations: [{ ...DEVIATION, observed: `  ${DEVIATION.observed}\n` }], evidence: [EVIDENCE[1]!] });
    expect(again?.id).toBe(proposal?.id);
    expect(again?.evidence).toEqual(EVIDENCE);
    expect(await learner.list()).toHaveLength(1);
  });

  test('deviations without a wiki file, or naming one outside the project, are kept without a target', async () => {
    const dir = await newRepo();
    const learner = createWikiLearner({ projectDir: dir, autoApply: true });
    const proposals = await learner.propose({
      origin: 'judge',
      deviations: [{ observed: 'Tests need a running Redis.' }, { wikiSource: '../../etc/passwd.md', observed: 'outside' }, { observed: '   ' }],
      evidence: ['redis connection refused in npm test'],
    });
    expect(proposals.map((proposal) => proposal.wikiSource)).toEqual([undefined, undefined]);
    const result = await learner.apply(proposals[0]!);
    expect(result).toMatchObject({ isApplied: false, reason: 'no wiki file was named' });
  });

  test('with auto-apply off, apply keeps the proposal for review: no edit, no commit', async () => {
    const dir = await newRepo();
    const learner = createWikiLearner({ projectDir: dir });
    const [proposal] = await learner.propose({ origin: 'agent', deviations: [DEVIATION], evidence: EVIDENCE });
    const head = await git(dir, 'rev-parse', 'HEAD');
    const result = await learner.apply(proposal!);
    expect(result).toMatchObject({ isApplied: false, reason: 'learning.auto_apply is off' });
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(dir, 'status', '--porcelain', '--', 'wiki')).toBe('');
    expect((await learner.list())[0]).toMatchObject({ status: 'proposed', keptBecause: 'learning.auto_apply is off' });
  });

  test("with auto-apply on, apply edits the wiki page and commits that file alone, leaving the user's staged work staged", async () => {
    const dir = await newRepo();
    await writeFile(join(dir, 'app.ts'), 'export const x = 2;\n');
    await git(dir, 'add', 'app.ts');
    const learner = createWikiLearner({ projectDir: dir, autoApply: true });
    const [proposal] = await learner.propose({ origin: 'agent', taskId: 'api', deviations: [DEVIATION], evidence: EVIDENCE });
    const result = await learner.apply(proposal!.id);
    expect(result.isApplied).toBe(true);
    expect(result.commit).toBe((await git(dir, 'rev-parse', 'HEAD')).trim());
    expect((await git(dir, 'show', '--name-only', '--format=%s', 'HEAD')).trim().split('\n')).toEqual([expect.stringMatching(/^wiki: The existing code paginates/), '', 'wiki/api.md']);
    expect(await git(dir, 'log', '-1', '--format=%B')).toContain(EVIDENCE[0]);
    const wiki = await readFile(join(dir, 'wiki/api.md'), 'utf8');
    expect(wiki).toContain('The /users endpoint is paginated with page=.');
    expect(wiki).toContain(`**Observed in practice**`);
    expect(wiki).toContain(DEVIATION.observed);
    expect((await git(dir, 'status', '--porcelain')).split('\n')).toContain('M  app.ts');
    expect((await learner.list())[0]).toMatchObject({ status: 'applied', commit: result.commit });

    // Applying again changes nothing.
    const again = await learner.apply(proposal!);
    expect(again).toMatchObject({ isApplied: true, commit: result.commit });
    expect((await git(dir, 'rev-list', '--count', 'HEAD')).trim()).toBe('2');
  });

  test('even with auto-apply on, unreviewable guesses are kept: no evidence, a non-markdown target, or a page with uncommitted edits', async () => {
    const dir = await newRepo();
    const learner = createWikiLearner({ projectDir: dir, autoApply: true });
    const [noEvidence] = await learner.propose({ origin: 'agent', deviations: [{ ...DEVIATION, observed: 'Claim without evidence.' }] });
    expect(await learner.apply(noEvidence!)).toMatchObject({ isApplied: false, reason: 'no evidence beyond the report itself' });
    const [yaml] = await learner.propose({ origin: 'judge', deviations: [{ wikiSource: 'openapi.yaml', observed: 'POST /todos answers 500.' }], evidence: ['curl: 500'] });
    expect(await learner.apply(yaml!)).toMatchObject({ isApplied: false, reason: 'openapi.yaml is not a markdown wiki page' });

    await writeFile(join(dir, 'wiki/api.md'), '# API\n\nMy unsaved edit.\n');
    const [dirty] = await learner.propose({ origin: 'agent', deviations: [DEVIATION], evidence: EVIDENCE });
    const result = await learner.apply(dirty!);
    expect(result.isApplied).toBe(false);
    expect(result.reason).toContain('uncommitted changes');
    expect(await readFile(join(dir, 'wiki/api.md'), 'utf8')).toBe('# API\n\nMy unsaved edit.\n');
    expect((await git(dir, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
  });
});
