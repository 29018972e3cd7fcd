import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type DependencyMode, WorktreeManager, WorktreeProvisioner } from '@qoder-orch/core';
import { type Benchmark, compare, fixed, table } from '../harness';

const run = promisify(execFile);
const git = (cwd: string, args: string[]) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd, maxBuffer: 64 * 2 ** 20 });

/** A project made ready once: a repository with installed dependencies, and how to install them fresh. */
interface Project {
  label: string;
  root: string;
  /** The fresh install in a new worktree (the baseline): an argument vector. */
  install: string[];
  files: number;
}

async function countFiles(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).length;
}

/** A small npm project: one dependency from a local tarball (no registry), installed, lockfile committed. */
async function npmProject(base: string): Promise<Project> {
  const pkg = join(base, 'greet');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'greet', version: '1.0.0', main: 'index.js' }));
  await writeFile(join(pkg, 'index.js'), 'module.exports = (name) => `hello ${name}`;\n');
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', pkg], { cwd: pkg });
  const tarball = join(pkg, stdout.trim().split('\n').at(-1)!);
  const root = join(base, 'npm-project');
  await mkdir(root);
  await git(root, ['init', '-q']);
  await writeFile(join(root, '.gitignore'), 'node_modules/\n');
  await writeFile(join(root, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: root });
  await git(root, ['add', '-A']);
  await git(root, ['commit', '-q', '-m', 'app']);
  return { label: 'npm, 1 dependency', root, install: ['npm', 'ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], files: await countFiles(join(root, 'node_modules')) };
}

/**
 * This repository's own dependencies at real size: its manifests and pnpm lockfile in a new
 * repository, installed offline from the pnpm store the checkout was installed from.
 */
async function pnpmProject(base: string): Promise<Project> {
  const source = resolve(import.meta.dirname, '..', '..');
  const root = join(base, 'pnpm-project');
  await mkdir(root);
  await git(root, ['init', '-q']);
  const { stdout } = await git(source, ['ls-files', '-z', '--', 'package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '*/package.json']);
  for (const path of stdout.split('\0').filter(Boolean)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await copyFile(join(source, path), join(root, path));
  }
  await writeFile(join(root, '.gitignore'), 'node_modules/\n');
  await git(root, ['add', '-A']);
  await git(root, ['commit', '-q', '-m', 'manifests']);
  const install = ['pnpm', 'install', '--offline', '--frozen-lockfile', '--ignore-scripts', '--reporter=silent'];
  await run(install[0]!, install.slice(1), { cwd: root, maxBuffer: 64 * 2 ** 20 });
  return { label: "this repository's pnpm install", root, install, files: await countFiles(join(root, 'node_modules')) };
}

/**
 * Worktree provisioning against a fresh install, per worktree: the `WorktreeProvisioner`
 * linking or copying the main checkout's installed folders into a new worktree, against
 * installing the same lockfile offline in a new worktree (`npm ci --offline`, `pnpm install
 * --offline` from a warm store: the fastest a fresh install gets, no network). Worktrees are
 * made before each timed run; only the provisioning or the install is timed.
 */
export const provisioning: Benchmark = {
  name: 'provisioning',
  description: 'Worktree provisioning (link, copy of installed dependencies) vs a fresh offline install in the worktree: a small npm project and this repository (pnpm, real size).',
  async run({ isQuick, log }) {
    const base = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-provision-'));
    const runs = isQuick ? 1 : 5;
    try {
      const projects = [await npmProject(base), ...(isQuick ? [] : [await pnpmProject(base)])];
      log(`Per worktree; median of ${runs} runs after 1 warm-up, baseline and subject interleaved. Worktrees are created untimed before each run.`);
      const rows: string[][] = [];
      for (const project of projects) {
        const manager = new WorktreeManager({ projectDir: project.root, worktreeRoot: join(base, 'worktrees'), linkDependencies: false });
        const head = (await git(project.root, ['rev-parse', 'HEAD'])).stdout.trim();
        let next = 0;
        // One worktree at a time (a copy of a real node_modules is gigabytes): the last one goes first, untimed.
        const freshWorktree = async () => {
          if (next > 0) await manager.remove('bench', `w${next}`);
          return (await manager.add('bench', `w${(next += 1)}`, head)).path;
        };
        for (const mode of ['link', 'copy'] as const satisfies readonly DependencyMode[]) {
          const provisioner = new WorktreeProvisioner({ root: project.root, dependencies: mode });
          await provisioner.prepareRepository();
          let worktree = '';
          const result = await compare(
            () => run(project.install[0]!, project.install.slice(1), { cwd: worktree, maxBuffer: 64 * 2 ** 20 }),
            () => provisioner.provision(worktree, { slot: 0 }),
            {
              warmup: 1,
              runs,
              beforeEach: async () => {
                worktree = await freshWorktree();
              },
            },
          );
          rows.push([project.label, `${project.files}`, mode, fixed(result.baseline.medianMs, 0), fixed(result.subject.medianMs, 1), fixed(result.ratio, 4)]);
          await manager.cleanLeftovers();
        }
      }
      log(table(['project', 'files in node_modules', 'mode', 'fresh install ms', 'provision ms', 'ratio'], rows));
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
};
