import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runGit } from '../../git/git-client';

/** What the stand-in `gh` was asked: each call's arguments, and the body file's text when one was named. */
export interface GhCall {
  argv: string[];
  body?: string;
}

/**
 * A stand-in for the GitHub CLI, for tests: a small Node script named `gh` in a temporary bin
 * folder that records every call (its argv and the `--body-file` it was given) and answers
 * `auth status` (exit 0, or 1 when `isAuthenticated` is false) and `pr create` (a URL). With
 * `hasGh: false` the folder holds no `gh`, only links to `git`, `sh` and `node`, and `path` is
 * that folder alone: `gh` is not found whatever the machine has installed.
 */
export async function createStandInGh(options: { isAuthenticated?: boolean; hasGh?: boolean; failCreate?: boolean } = {}) {
  const folder = await mkdtemp(join(tmpdir(), 'qoder-orch-gh-'));
  const bin = join(folder, 'bin');
  await mkdir(bin);
  const record = join(folder, 'calls.ndjson');
  await writeFile(record, '');
  if (options.hasGh !== false) {
    const script = `#!${process.execPath}
const fs = require('node:fs');
const argv = process.argv.slice(2);
const at = argv.indexOf('--body-file');
const body = at >= 0 ? fs.readFileSync(argv[at + 1], 'utf8') : undefined;
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({ argv, body }) + '\\n');
if (argv[0] === 'auth' && argv[1] === 'status') process.exit(${options.isAuthenticated === false ? 1 : 0});
if (argv[0] === 'pr' && argv[1] === 'create') {
  if (${options.failCreate === true}) { process.stderr.write('GraphQL: base branch not found\\n'); process.exit(1); }
  process.stdout.write('https://github.example/acme/app/pull/7\\n');
  process.exit(0);
}
process.exit(2);
`;
    await writeFile(join(bin, 'gh'), script);
    await chmod(join(bin, 'gh'), 0o755);
  }
  for (const tool of ['git', 'sh', 'node']) {
    const found = (process.env['PATH'] ?? '').split(delimiter).map((directory) => join(directory, tool));
    for (const candidate of found) {
      if (
        !(await access(candidate, constants.X_OK).then(
          () => true,
          () => false,
        ))
      )
        continue;
      await symlink(candidate, join(bin, tool));
      break;
    }
  }
  return {
    bin,
    /** The PATH for the code under test: the stand-in first (alone when there is no `gh`). */
    path: options.hasGh === false ? bin : `${bin}${delimiter}${process.env['PATH'] ?? ''}`,
    async calls(): Promise<GhCall[]> {
      return (await readFile(record, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as GhCall);
    },
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

/** A bare repository in a temporary folder, added to `root` as the remote `name`. */
export async function createBareRemote(root: string, name = 'origin') {
  const folder = await mkdtemp(join(tmpdir(), 'qoder-orch-remote-'));
  await runGit(folder, ['init', '-q', '--bare']);
  await runGit(root, ['remote', 'add', name, folder]);
  return { folder, branches: async () => (await runGit(folder, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/'])).trim(), cleanup: () => rm(folder, { recursive: true, force: true }) };
}
