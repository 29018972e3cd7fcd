import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inDependencyOrder, listWorkspacePackages } from './workspace-packages';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function workspace(manifests: Record<string, object>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-workspace-packages-'));
  roots.push(root);
  for (const [folder, manifest] of Object.entries(manifests)) {
    await mkdir(join(root, 'packages', folder), { recursive: true });
    await writeFile(join(root, 'packages', folder, 'package.json'), JSON.stringify(manifest));
  }
  await mkdir(join(root, 'packages', 'no-manifest'));
  return root;
}

describe('listWorkspacePackages', () => {
  it('reads every package folder, its exports, executables and dependencies of every kind', async () => {
    const root = await workspace({
      cli: { name: '@x/cli', bin: { 'x-cli': './dist/bin.js' }, dependencies: { '@x/core': 'workspace:*' } },
      core: { name: '@x/core', exports: { '.': './dist/index.js', './test': './dist/test/index.js' }, peerDependencies: { vitest: '^4' }, devDependencies: { '@x/spec': 'workspace:*' } },
      spec: { name: '@x/spec', private: true },
    });
    expect(await listWorkspacePackages(root)).toEqual([
      { directory: 'packages/cli', name: '@x/cli', isPrivate: false, dependencyNames: ['@x/core'], exportPaths: ['.'], binNames: ['x-cli'] },
      { directory: 'packages/core', name: '@x/core', isPrivate: false, dependencyNames: ['@x/spec', 'vitest'], exportPaths: ['.', './test'], binNames: [] },
      { directory: 'packages/spec', name: '@x/spec', isPrivate: true, dependencyNames: [], exportPaths: ['.'], binNames: [] },
    ]);
  });
});

describe('inDependencyOrder', () => {
  it('puts each workspace dependency before its dependents', async () => {
    const root = await workspace({
      a: { name: 'a', dependencies: { c: 'workspace:*', zod: '^4' } },
      b: { name: 'b' },
      c: { name: 'c', dependencies: { b: 'workspace:*' } },
    });
    expect(inDependencyOrder(await listWorkspacePackages(root)).map((entry) => entry.name)).toEqual(['b', 'c', 'a']);
  });

  it('refuses a cycle', async () => {
    const root = await workspace({ a: { name: 'a', dependencies: { b: '*' } }, b: { name: 'b', dependencies: { a: '*' } } });
    const packages = await listWorkspacePackages(root);
    expect(() => inDependencyOrder(packages)).toThrow(/cycle/);
  });
});
