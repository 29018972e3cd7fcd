/**
 * What a user gets from the registry: every non-private package under packages/ is packed with
 * `pnpm pack` (which rewrites `workspace:*` to versions and builds through `prepack`), the
 * tarballs are installed with npm into a fresh project, and the result is used the way a user
 * would: import each exported entry, run the CLI. Packages are discovered from
 * packages/*\/package.json, so a new package is checked without editing this file.
 * npm install reaches the registry for third-party dependencies, hence the long timeouts. It runs
 * no install scripts: ours have none, and third-party ones fetch from hosts other than the
 * registry (onnxruntime-node's fetches binaries from api.nuget.org), which CI need not reach.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inDependencyOrder, listWorkspacePackages } from '../scripts/workspace-packages';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const published = inDependencyOrder((await listWorkspacePackages(root)).filter((entry) => !entry.isPrivate));
const entries = published.flatMap((entry) => entry.exportPaths.map((path) => (path === '.' ? entry.name : `${entry.name}${path.slice(1)}`)));
const executables = published.flatMap((entry) => entry.binNames);

const PACK_TIMEOUT_MS = 10 * 60_000;
const INSTALL_TIMEOUT_MS = 20 * 60_000;

let tarballs: string;
let project: string;

/** The `vitest` range the repository tests with: the `/test` kits run inside a user's vitest. */
async function rootVitestRange(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return manifest.devDependencies.vitest ?? 'latest';
}

/** The package's own files: what npm nested under its node_modules belongs to other packages. */
async function ownFiles(directory: string): Promise<string[]> {
  const found = await readdir(directory, { recursive: true, withFileTypes: true });
  return found
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.slice(directory.length).includes('/node_modules/'));
}

beforeAll(async () => {
  tarballs = await mkdtemp(join(tmpdir(), 'qoder-orch-packaging-tarballs-'));
  project = await mkdtemp(join(tmpdir(), 'qoder-orch-packaging-project-'));
  const started = performance.now();
  for (const entry of published) {
    await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, entry.directory), timeout: PACK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  }
  const packed = performance.now();
  const tarballPaths = (await readdir(tarballs)).filter((name) => name.endsWith('.tgz')).map((name) => join(tarballs, name));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'qoder-orch-packaging-check', version: '0.0.0', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', ...tarballPaths, `vitest@${await rootVitestRange()}`], {
    cwd: project,
    timeout: INSTALL_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  console.info(`packaging: packed ${published.length} packages in ${seconds(started, packed)} s, installed them in ${seconds(packed, performance.now())} s`);
}, PACK_TIMEOUT_MS + INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([tarballs, project].filter(Boolean).map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('the packed packages, installed from their tarballs', () => {
  it('include every package under packages/ that is not private', () => {
    expect(published.map((entry) => entry.name)).toEqual(expect.arrayContaining(['@qoder-orch/core', '@qoder-orch/providers', '@qoder-orch/context', '@qoder-orch/cli']));
  });

  it.each(entries)('%s imports with node', async (specifier) => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length);`], { cwd: project, timeout: 60_000 });
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  });

  it('installs the qoder-orchestrate command, which prints its help and its version', async () => {
    expect(executables).toContain('qoder-orchestrate');
    const command = join(project, 'node_modules', '.bin', 'qoder-orchestrate');
    const help = await run(command, ['--help'], { cwd: project, timeout: 60_000 });
    expect(help.stdout).toContain('qoder-orchestrate');
    const cli = JSON.parse(await readFile(join(project, 'node_modules', '@qoder-orch', 'cli', 'package.json'), 'utf8')) as { version: string };
    const version = await run(command, ['--version'], { cwd: project, timeout: 60_000 });
    expect(version.stdout).toContain(cli.version);
  });

  it('ship their own code only: no third-party module is copied into a build, it is declared as a dependency instead', async () => {
    // A bundler copies a module it cannot leave external; a copied test runner, for one, is not
    // the runner of the user's tests, so the `/test` suites would register nowhere.
    const copied: string[] = [];
    for (const entry of published) {
      const directory = join(project, 'node_modules', ...entry.name.split('/'));
      for (const file of (await ownFiles(directory)).filter((path) => /\.[cm]?js$/.test(path))) {
        const text = await readFile(file, 'utf8');
        const origins = new Set([...text.matchAll(/^\/\/ \S*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/\s]+\/)?[^/\s]+)/gm)].map((match) => match[1]));
        for (const origin of origins) copied.push(`${entry.name}: ${origin} in ${file.slice(directory.length + 1)}`);
      }
    }
    expect(copied).toEqual([]);
  });

  it('pull no onnxruntime-* package: the embedding runtime is an optional peer a user installs on purpose', async () => {
    // core, providers and cli alone must not pull it; with every package installed (context
    // included) it must not appear either, so one install answers both.
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((path) => /(?:^|\/)node_modules\/onnxruntime-[^/]+$/.test(path))).toEqual([]);
  });
});
