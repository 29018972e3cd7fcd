import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { deliverPullRequest, shellLine } from './deliver-pull-request';
import { createBareRemote, createStandInGh } from './testing/stand-in-gh';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Parameters<typeof createStandInGh>[0] = {}, withRemote = true) {
  const repository: TemporaryRepository = await createTemporaryRepository({ 'README.md': '# app\n' });
  cleanups.push(() => repository.cleanup());
  const remote = withRemote ? await createBareRemote(repository.root) : undefined;
  if (remote) cleanups.push(remote.cleanup);
  await repository.git(['branch', 'feature/login']);
  const gh = await createStandInGh(options);
  cleanups.push(gh.cleanup);
  const bodyFile = join(repository.root, '.git', 'pr-body.md');
  await writeFile(bodyFile, '## Plan\n');
  const delivery = await deliverPullRequest({ projectDir: repository.root, branch: 'feature/login', base: 'main', title: "Add login: it's done", bodyFile, env: { ...process.env, PATH: gh.path } });
  return { repository, remote, gh, bodyFile, delivery };
}

describe('deliverPullRequest (a bare remote, a stand-in gh)', () => {
  it('pushes the branch and opens a draft pull request with gh', async () => {
    const { repository, remote, gh, bodyFile, delivery } = await setUp();
    expect(delivery).toEqual({ status: 'opened', url: 'https://github.example/acme/app/pull/7', isPushed: true });
    const tip = (await repository.git(['rev-parse', 'feature/login'])).trim();
    expect(await remote!.branches()).toBe(`refs/heads/feature/login ${tip}`);
    const calls = await gh.calls();
    expect(calls.map((call) => call.argv)).toEqual([
      ['auth', 'status'],
      ['pr', 'create', '--draft', '--title', "Add login: it's done", '--body-file', bodyFile, '--head', 'feature/login', '--base', 'main'],
    ]);
    expect(calls[1]?.body).toBe('## Plan\n');
  });

  it('without gh on the PATH: pushed, nothing opened, the exact gh command to run', async () => {
    const { delivery, bodyFile } = await setUp({ hasGh: false });
    expect(delivery).toMatchObject({ status: 'not-opened', code: 'GH_MISSING', isPushed: true });
    if (delivery.status !== 'not-opened') throw new Error('opened');
    expect(delivery.commands.map(shellLine)).toEqual([`gh pr create --draft --title 'Add login: it'\\''s done' --body-file ${bodyFile} --head feature/login --base main`]);
  });

  it('with gh not logged in: pushed, nothing opened, the command to run; gh was asked nothing else', async () => {
    const { delivery, gh } = await setUp({ isAuthenticated: false });
    expect(delivery).toMatchObject({ status: 'not-opened', code: 'GH_UNAUTHENTICATED', isPushed: true, commands: [expect.arrayContaining(['gh', 'pr', 'create', '--draft'])] });
    expect((await gh.calls()).map((call) => call.argv)).toEqual([['auth', 'status']]);
  });

  it('when the push fails: a clear answer with both commands, and gh is not asked', async () => {
    const { delivery, gh } = await setUp({}, false);
    expect(delivery).toMatchObject({ status: 'not-opened', code: 'BRANCH_PUSH_FAILED', isPushed: false, message: expect.stringContaining('git push origin feature/login failed') });
    if (delivery.status !== 'not-opened') throw new Error('opened');
    expect(delivery.commands.map((command) => command.slice(0, 3))).toEqual([
      ['git', 'push', 'origin'],
      ['gh', 'pr', 'create'],
    ]);
    expect(await gh.calls()).toEqual([]);
  });

  it('when gh refuses: its message, the command to run again', async () => {
    const { delivery } = await setUp({ failCreate: true });
    expect(delivery).toMatchObject({ status: 'not-opened', code: 'PULL_REQUEST_FAILED', isPushed: true, message: expect.stringContaining('base branch not found') });
  });

  it('refuses a remote or branch that would be read as an option', async () => {
    const repository = await createTemporaryRepository();
    cleanups.push(() => repository.cleanup());
    await expect(deliverPullRequest({ projectDir: repository.root, branch: 'x', remote: '--upload-pack=evil', title: 't', bodyFile: 'b' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
