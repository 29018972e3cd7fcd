import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One package under packages/, as its package.json describes it. */
export interface WorkspacePackage {
  /** The folder, relative to the repository root (`packages/core`). */
  directory: string;
  name: string;
  isPrivate: boolean;
  /** Every dependency name, whatever the kind: a cycle through a dev dependency still breaks builds. */
  dependencyNames: string[];
  /** Subpaths the package exports (`.`, `./test`). */
  exportPaths: string[];
  /** Executable names the package installs. */
  binNames: string[];
}

const PackageJsonKinds = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/**
 * Reads packages/*\/package.json, so packages added later are picked up without editing the checks.
 * Folders without a package.json are skipped.
 */
export async function listWorkspacePackages(root: string): Promise<WorkspacePackage[]> {
  const entries = await readdir(join(root, 'packages'), { withFileTypes: true });
  const packages: WorkspacePackage[] = [];
  for (const entry of entries.filter((candidate) => candidate.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const directory = `packages/${entry.name}`;
    let text: string;
    try {
      text = await readFile(join(root, directory, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    const manifest = JSON.parse(text) as Record<string, unknown>;
    if (typeof manifest.name !== 'string') throw new Error(`${directory}/package.json has no name`);
    const dependencyNames = PackageJsonKinds.flatMap((kind) => Object.keys((manifest[kind] as Record<string, string> | undefined) ?? {}));
    const exportsField = manifest.exports;
    const exportPaths = typeof exportsField === 'object' && exportsField !== null && Object.keys(exportsField).every((key) => key.startsWith('.')) ? Object.keys(exportsField) : ['.'];
    const bin = manifest.bin;
    const binNames = typeof bin === 'string' ? [manifest.name.replace(/^@[^/]+\//, '')] : Object.keys((bin as Record<string, string> | undefined) ?? {});
    packages.push({ directory, name: manifest.name, isPrivate: manifest.private === true, dependencyNames: [...new Set(dependencyNames)], exportPaths, binNames });
  }
  return packages;
}

/**
 * The packages with every workspace dependency before its dependents, so building them one by one
 * finds the declarations it needs. Throws on a cycle, where no such order exists.
 */
export function inDependencyOrder(packages: readonly WorkspacePackage[]): WorkspacePackage[] {
  const byName = new Map(packages.map((entry) => [entry.name, entry]));
  const ordered: WorkspacePackage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (entry: WorkspacePackage) => {
    if (state.get(entry.name) === 'done') return;
    if (state.get(entry.name) === 'visiting') throw new Error(`workspace packages depend on each other in a cycle through ${entry.name}`);
    state.set(entry.name, 'visiting');
    for (const name of entry.dependencyNames) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency);
    }
    state.set(entry.name, 'done');
    ordered.push(entry);
  };
  for (const entry of packages) visit(entry);
  return ordered;
}
