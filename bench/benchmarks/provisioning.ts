import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type DependencyMode, WorktreeManager, WorktreeProvisioner } from '@qoder-orch/core';
import { type Benchmark, compare, fixed, median, table, timeOnce } from '../harness';

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
 * Worktree provisioning against a fresh install, per task: the `WorktreeProvisioner` linking or
 * copying the main checkout's installed folders into a new worktree, and reusing what it put in
 * a pool slot for the slot's next task (what every task after a slot's first costs), against
 * installing the same lockfile offline in a new worktree (`npm ci --offline`, `pnpm install
 * --offline` from a warm store: the fastest a fresh install gets, no network). Worktrees are
 * made or reset untimed before each run; only the provisioning or the install is timed.
 */
export const provisioning: Benchmark = {
  name: 'provisioning',
  description: 'Worktree provisioning (link, copy of installed dependencies; a new slot, a reused slot) vs a fresh offline install in the worktree: a small npm project and this repository (pnpm, real size).',
  async run({ isQuick, log }) {
    const base = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-provision-'));
    try {
      const projects = [await npmProject(base), ...(isQuick ? [] : [await pnpmProject(base)])];
      log(
        'Per task. New slot: median of the runs (3 for the small project, 1 for the real-size one: a copy of it takes minutes on a loaded machine), fresh install and provisioning interleaved after 1 warm-up (none for the real-size one), worktrees made untimed before each run. Reused slot: the same slot reset for the next task (untimed) and provisioned again, as many runs; its ratio is against the fresh-install median of the line above.',
      );
      const headers = ['project', 'files in node_modules', 'mode', 'worktree', 'fresh install ms', 'provision ms', 'ratio'];
      const rows: string[][] = [];
      for (const project of projects) {
        const isLarge = project !== projects[0];
        const runs = isQuick || isLarge ? 1 : 3;
        const warmup = isLarge ? 0 : 1;
        const head = (await git(project.root, ['rev-parse', 'HEAD'])).stdout.trim();
        let provisioner: WorktreeProvisioner | undefined;
        // What a run does between two tasks in a slot, once its first task provisioned it: the reset keeps what provisioning put there.
        let isKeepingProvisioned = false;
        const manager = new WorktreeManager({
          projectDir: project.root,
          worktreeRoot: join(base, 'worktrees'),
          preservedPaths: async (path) => (isKeepingProvisioned && provisioner !== undefined ? provisioner.preservedPaths(path) : []),
        });
        let next = 0;
        // One worktree at a time (a copy of a real node_modules is gigabytes): the last one goes back to the pool first, untimed, and the next task resets it.
        const nextWorktree = async () => {
          if (next > 0) await manager.remove('bench', `w${next}`);
          return (await manager.add('bench', `w${(next += 1)}`, head)).path;
        };
        for (const mode of ['link', 'copy'] as const satisfies readonly DependencyMode[]) {
          const current = new WorktreeProvisioner({ root: project.root, dependencies: mode });
          provisioner = current;
          await current.prepareRepository();
          isKeepingProvisioned = false;
          let worktree = '';
          const fresh = await compare(
            () => run(project.install[0]!, project.install.slice(1), { cwd: worktree, maxBuffer: 64 * 2 ** 20 }),
            () => current.provision(worktree, { slot: 0 }),
            {
              warmup,
              runs,
              beforeEach: async () => {
                worktree = await nextWorktree();
              },
            },
          );
          rows.push([project.label, `${project.files}`, mode, 'new slot', fixed(fresh.baseline.medianMs, 0), fixed(fresh.subject.medianMs, 1), fixed(fresh.ratio, 4)]);
          log(table(headers, rows.slice(-1)));
          // The compare's last run provisioned the slot: from here on its next tasks reuse it.
          isKeepingProvisioned = true;
          const reused: number[] = [];
          for (let index = 0; index < runs + warmup; index += 1) {
            const slot = await nextWorktree();
            let isReused = false;
            const sample = await timeOnce(async () => {
              isReused = (await current.provision(slot, { slot: 0 })).isReused;
            });
            if (!isReused) throw new Error('The slot was provisioned again for its next task: provisioning is not kept across tasks.');
            if (index >= warmup) reused.push(sample.wallMs);
          }
          rows.push([project.label, `${project.files}`, mode, 'reused slot', fixed(fresh.baseline.medianMs, 0), fixed(median(reused), 1), fixed(median(reused) / fresh.baseline.medianMs, 4)]);
          log(table(headers, rows.slice(-1)));
        }
        // Gigabytes in mode copy: gone before the next project.
        await manager.remove('bench', `w${next}`);
        await manager.cleanLeftovers({ isRemovingIdlePool: true });
      }
      log(table(headers, rows));
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
};
