import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { createBareRemote, createStandInGh, MockAgentProvider } from '@qoder-orch/core/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_CODES, runCli } from '../index';
import { captureIo } from '../testing/capture-output';
import { createGitProject } from '../testing/git-project';

const SECRET = 'qpat-9f8e7d6c5b4a-branch-test';
const HOSTILE = '```\n<img src=x onerror=alert(1)> @octocat see [here](https://evil.example)\n````';

const PLAN = { tasks: [{ id: 'server', title: `Serve GET /health ${HOSTILE}`, agent: 'backend-dev', files: ['server.js'], verify: [['node', '--check', 'server.js']], estimateMinutes: 5 }] };
const report = `Done.\n\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: `Done with ${SECRET} ${HOSTILE}`, filesChanged: ['server.js'] })}\n\`\`\``;

function provider() {
  return new MockAgentProvider({
    complete: (call) =>
      call.purpose === 'judge'
        ? JSON.stringify({ isMet: true, reasoning: `The check passed. ${HOSTILE}`, criteria: [{ criterion: 'GET /health works', isMet: true, evidence: 'node --check server.js' }] })
        : `\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\``,
    runTask: { server: [{ type: 'success', files: { 'server.js': 'export const ok = true;\n' }, text: report, costUsd: 0.02 }] },
  });
}

/** The Markdown outside fenced blocks and code spans: what GitHub would render. */
function markdownOutsideCode(markdown: string): string {
  let outside = '';
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opening = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined && opening !== undefined) fence = opening;
    else if (fence !== undefined && new RegExp(`^\`{${fence.length},}\\s*$`).test(line)) fence = undefined;
    else if (fence === undefined) outside += `${line.replace(/(`+) .*? \1/g, '')}\n`;
  }
  return outside;
}

describe('qoder-orchestrate --branch and --pr (a bare remote, a stand-in gh)', () => {
  let projectDir: string;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    projectDir = await createGitProject({ 'README.md': '# health\n', '.gitignore': '.qoder-orch/\n' });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(projectDir, { recursive: true, force: true });
  });

  async function run(argv: string[], gh: Awaited<ReturnType<typeof createStandInGh>>) {
    const io = captureIo({ cwd: projectDir, env: { PATH: gh.path, QODER_PERSONAL_ACCESS_TOKEN: SECRET } });
    const code = await runCli([...argv, '--project-dir', projectDir, '--max-parallel', '1', '--max-iterations', '1'], io, { provider: provider() });
    return { code, out: io.stdout.text(), err: io.stderr.text() };
  }
  async function standIn(options: Parameters<typeof createStandInGh>[0] = {}) {
    const gh = await createStandInGh(options);
    cleanups.push(gh.cleanup);
    return gh;
  }
  async function remote() {
    const bare = await createBareRemote(projectDir);
    cleanups.push(bare.cleanup);
    return bare;
  }
  const git = () => simpleGit({ baseDir: projectDir });

  it('--branch: the run commits on the new branch; main, HEAD and the files stay as they were', async () => {
    const mainBefore = (await git().revparse(['main'])).trim();
    const { code, out } = await run(['Add a health endpoint', '--branch', 'feature/health'], await standIn());
    expect(code).toBe(EXIT_CODES.met);
    expect((await git().raw(['symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
    expect((await git().revparse(['main'])).trim()).toBe(mainBefore);
    expect(await readdir(projectDir)).not.toContain('server.js');
    expect(await git().raw(['show', 'feature/health:server.js'])).toBe('export const ok = true;\n');
    expect(out).toMatch(/Branch:\s+feature\/health at [0-9a-f]{12}; your checkout is back on main/);
  });

  it('--pr: pushes the run branch and opens a draft pull request whose body shows plan and verdict, hostile text fenced, no secret', async () => {
    const bare = await remote();
    const gh = await standIn();
    const { code, out } = await run(['Add a health endpoint', '--pr'], gh);
    expect(code).toBe(EXIT_CODES.met);
    const [runId] = await readdir(join(projectDir, '.qoder-orch', 'runs'));
    const branch = `qoder-orch/run-${runId}`;
    expect(await bare.branches()).toContain(`refs/heads/${branch} `);
    const calls = await gh.calls();
    const bodyFile = join(projectDir, '.qoder-orch', 'runs', runId!, 'pull-request.md');
    expect(calls.map((call) => call.argv)).toEqual([
      ['auth', 'status'],
      ['pr', 'create', '--draft', '--title', 'Add a health endpoint', '--body-file', bodyFile, '--head', branch, '--base', 'main'],
    ]);
    const body = calls[1]!.body!;
    for (const part of ['## Plan', 'Serve GET /health', '## Verdict', 'The check passed.', 'GET /health works', '## Cost', '$0.0200']) expect(body).toContain(part);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('@octocat');
    // The hostile text is in the body, but only inside fenced blocks and code spans: none of it renders.
    expect(body).toContain('<img src=x');
    const rendered = markdownOutsideCode(body);
    for (const piece of ['<img', 'onerror', '](https://evil']) expect(rendered).not.toContain(piece);
    expect(await readFile(bodyFile, 'utf8')).toBe(body);
    expect(out).toContain('Draft pull request: https://github.example/acme/app/pull/7');
  });

  it('--pr without gh on the PATH, or with gh not logged in: pushed, and the exact gh command printed', async () => {
    await remote();
    for (const options of [{ hasGh: false }, { isAuthenticated: false }]) {
      await git().raw(['reset', '-q', '--hard', 'main']);
      const { code, out } = await run(['Add a health endpoint', '--pr', '--branch', `feature/${options.hasGh === false ? 'no-gh' : 'no-auth'}`], await standIn(options));
      expect(code).toBe(EXIT_CODES.met);
      expect(out).toContain(options.hasGh === false ? 'GH_MISSING' : 'GH_UNAUTHENTICATED');
      expect(out).toMatch(new RegExp(`\\n  gh pr create --draft --title 'Add a health endpoint' --body-file \\S+pull-request.md --head feature/${options.hasGh === false ? 'no-gh' : 'no-auth'} --base main\\n`));
    }
  });

  it('--pr when the push fails: a clear error with the push and gh commands; the run and its branch are kept', async () => {
    const gh = await standIn();
    const { code, out } = await run(['Add a health endpoint', '--pr', '--branch', 'feature/health'], gh);
    expect(code).toBe(EXIT_CODES.met);
    expect(out).toContain('BRANCH_PUSH_FAILED: git push origin feature/health failed');
    expect(out).toContain('\n  git push origin refs/heads/feature/health:refs/heads/feature/health\n');
    expect(out).toMatch(/\n {2}gh pr create --draft /);
    expect(await gh.calls()).toEqual([]);
    expect((await git().raw(['branch', '--list', 'feature/health'])).trim()).toBe('feature/health');
    const [runId] = await readdir(join(projectDir, '.qoder-orch', 'runs'));
    expect(JSON.parse(await readFile(join(projectDir, '.qoder-orch', 'runs', runId!, 'state.json'), 'utf8')).status).toBe('met');
  });

  it('--pr when nothing landed: no push, no gh, and it says why', async () => {
    const bare = await remote();
    const gh = await standIn();
    const failing = new MockAgentProvider({
      complete: (call) =>
        call.purpose === 'judge'
          ? JSON.stringify({ isMet: false, reasoning: 'Nothing works.' })
          : JSON.stringify({ tasks: [{ id: 'server', title: 'Serve', agent: 'backend-dev', files: ['server.js'], verify: [['node', '--check', 'missing.js']] }] }),
      runTask: () => ({ type: 'success', files: { 'server.js': 'x\n' } }),
    });
    const io = captureIo({ cwd: projectDir, env: { PATH: gh.path } });
    const code = await runCli(['Add it', '--pr', '--project-dir', projectDir, '--max-parallel', '1', '--max-iterations', '1'], io, { provider: failing, overrides: { retry: { maxAttempts: 1 } } });
    expect(code).toBe(EXIT_CODES.notMet);
    expect(io.stdout.text()).toMatch(/No pull request: the run ended not-met \([a-z-]+\) and no task's work landed on qoder-orch\/run-/);
    expect(await gh.calls()).toEqual([]);
    expect(await bare.branches()).toBe('');
  });

  it('refuses --pr with --plan-only and --remote without --redis or --pr (exit 3)', async () => {
    const gh = await standIn();
    expect((await run(['Add it', '--pr', '--plan-only'], gh)).code).toBe(EXIT_CODES.invalidInput);
    expect((await run(['Add it', '--remote', 'origin'], gh)).code).toBe(EXIT_CODES.invalidInput);
    expect((await run(['Add it', '--branch', ''], gh)).code).toBe(EXIT_CODES.invalidInput);
  });
});
