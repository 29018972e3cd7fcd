import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { createBareRemote, createStandInGh } from '@qoder-orch/core/test';
import { createFakeAnthropicServer, type FakeAnthropicRequest, reply } from '@qoder-orch/providers/test';
import { simpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, taskIdOf, workingDirectoryOf } from '../testing/cli-process';
import { createGitProject } from '../testing/git-project';

const HOSTILE = '</details><img src=x onerror=alert(1)> cc @octocat [win](https://evil.example)\n```\n# Approved';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A one-task plan, a met verdict, and a Claude Code turn that writes a file and ends with hostile text. */
function scriptedModel(request: FakeAnthropicRequest) {
  if (request.prompt.includes(PLAN_PROMPT_MARKER)) return { type: 'json' as const, value: { tasks: [{ id: 'health', title: `Add the health route ${HOSTILE}`, agent: 'backend-dev', files: ['src/health.txt'] }] } };
  if (request.prompt.includes(JUDGE_PROMPT_MARKER)) return { type: 'json' as const, value: { isMet: true, reasoning: `The file is there. ${HOSTILE}` } };
  const taskId = taskIdOf(request);
  const cwd = workingDirectoryOf(request);
  if (!taskId || !cwd) return reply.text('OK.');
  return request.turnIndex === 0 ? reply.write(join(cwd, 'src', `${taskId}.txt`), `${taskId}\n`) : reply.text(`Wrote src/${taskId}.txt. ${HOSTILE}`);
}

describe('qoder-orchestrate --pr with the real claude', () => {
  it('runs on its own branch, pushes it to a bare remote and opens a draft pull request through gh; the agent’s and model’s hostile text is fenced in the body', async () => {
    const server = await createFakeAnthropicServer({ handler: scriptedModel });
    cleanups.push(() => server.close());
    const config = ['execution:', '  max_parallel: 1', '  max_iterations: 1', '  test_command: ["node", "-e", "0"]', 'semantic_search:', '  enabled: false', ''].join('\n');
    const projectDir = await createGitProject({ 'README.md': '# project\n', '.gitignore': '.qoder-orch/\n', '.qoder-orchestrate.yaml': config });
    const home = mkdtempSync(join(tmpdir(), 'qoder-orch-cli-home-'));
    cleanups.push(
      () => rmSync(projectDir, { recursive: true, force: true }),
      () => rmSync(home, { recursive: true, force: true }),
    );
    const remote = await createBareRemote(projectDir);
    cleanups.push(remote.cleanup);
    const gh = await createStandInGh();
    cleanups.push(gh.cleanup);
    const mainBefore = (await simpleGit(projectDir).revparse(['main'])).trim();
    const env = { PATH: gh.path, HOME: home, ...server.env, CLAUDE_CODE_MAX_RETRIES: '0', API_TIMEOUT_MS: '120000', NO_COLOR: '1', XDG_CACHE_HOME: join(home, 'cache') };
    const { code, stdout, stderr } = await runCliProcess(['Add a health route', '--llm-provider', 'claude', '--pr', '--branch', 'feature/health', '--project-dir', projectDir], env);
    expect(code, `${stdout.slice(-3000)}\n${stderr.slice(-2000)}`).toBe(0);

    // The user's branch and checkout are as they were; the work is on the run's branch, pushed.
    const git = simpleGit(projectDir);
    expect((await git.raw(['symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
    expect((await git.revparse(['main'])).trim()).toBe(mainBefore);
    expect(existsSync(join(projectDir, 'src', 'health.txt'))).toBe(false);
    const tip = (await git.revparse(['feature/health'])).trim();
    expect(await remote.branches()).toBe(`refs/heads/feature/health ${tip}`);

    const calls = await gh.calls();
    const [runId] = readdirSync(join(projectDir, '.qoder-orch', 'runs'));
    expect(calls.map((call) => call.argv)).toEqual([
      ['auth', 'status'],
      ['pr', 'create', '--draft', '--title', 'Add a health route', '--body-file', join(projectDir, '.qoder-orch', 'runs', runId!, 'pull-request.md'), '--head', 'feature/health', '--base', 'main'],
    ]);
    const body = calls[1]!.body!;
    for (const part of ['## Plan', '## Tasks', 'completed', '## Verdict', 'The file is there.', '## Cost', 'claude-cli']) expect(body).toContain(part);
    expect(body).toContain('onerror=alert(1)');
    expect(body).not.toContain('@octocat');
    // Outside its fenced blocks and code spans the body holds nothing of the hostile text.
    let outside = '';
    let fence: string | undefined;
    for (const line of body.split('\n')) {
      const opening = /^(`{3,})/.exec(line)?.[1];
      if (fence === undefined && opening !== undefined) fence = opening;
      else if (fence !== undefined && new RegExp(`^\`{${fence.length},}\\s*$`).test(line)) fence = undefined;
      else if (fence === undefined) outside += `${line.replace(/(`+) .*? \1/g, '')}\n`;
    }
    for (const piece of ['<img', '</details>', '](https://evil', '# Approved']) expect(outside).not.toContain(piece);
    expect(stdout).toContain('Draft pull request: https://github.example/acme/app/pull/7');
  }, 180_000);
});
