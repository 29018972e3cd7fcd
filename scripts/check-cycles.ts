/**
 * `pnpm check:cycles`: fails on an import cycle, at two levels.
 * - Between files of a package: Biome's `noImportCycles` (configured in biome.json). Type-only
 *   imports (`import type`) are ignored there: the compiler erases them, so they cannot leave a
 *   binding uninitialised at load time, which is the hazard a file cycle brings.
 * - Between workspace packages: Biome resolves `@qoder-orch/*` to the built `dist/`, not to the
 *   sources, so it cannot see a cycle that crosses packages. This script builds the package graph
 *   from package.json dependencies and from the `@qoder-orch/*` specifiers in each package's
 *   sources, type imports included: package layering is about what a package may know, not only
 *   about load order.
 * A cycle through files of different packages needs a cycle between the packages, so the two
 * checks together cover every cycle.
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listWorkspacePackages } from './workspace-packages';

const SOURCE_FILE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
const SKIPPED_FOLDERS = new Set(['__fixtures__', 'node_modules', 'dist']);
/** `from 'x'`, `import 'x'`, `import('x')`, `require('x')`: enough to see which packages a file names. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

async function sourceTexts(directory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const texts: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) texts.push(...(await sourceTexts(path)));
    else if (entry.isFile() && SOURCE_FILE.test(entry.name)) texts.push(await readFile(path, 'utf8'));
  }
  return texts;
}

/** The package a specifier names (`@scope/name/sub` → `@scope/name`). */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Workspace package name → the workspace packages it depends on or imports. */
export async function workspacePackageGraph(root: string): Promise<Map<string, Set<string>>> {
  const packages = await listWorkspacePackages(root);
  const names = new Set(packages.map((entry) => entry.name));
  const graph = new Map<string, Set<string>>();
  for (const entry of packages) {
    const edges = new Set(entry.dependencyNames.filter((name) => names.has(name)));
    for (const text of await sourceTexts(join(root, entry.directory, 'src'))) {
      for (const match of text.matchAll(SPECIFIER)) {
        const name = packageNameOf(match[1] ?? '');
        if (names.has(name)) edges.add(name);
      }
    }
    edges.delete(entry.name);
    graph.set(entry.name, edges);
  }
  return graph;
}

/** Each cycle once, as the path that closes it (`a → b → a`), found by depth-first search. */
export function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string) => {
    seen.add(node);
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!seen.has(next)) visit(next);
      else if (!done.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next]);
    }
    stack.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!seen.has(node)) visit(node);
  return cycles;
}

export interface FileCycleReport {
  isClean: boolean;
  /** Biome's concise output: one `path:line:column: rule: message` line per import in a cycle. */
  output: string;
}

/** Runs Biome's `noImportCycles` alone over `paths` (relative to `root`), with the configuration found from `root`. */
export function checkFileCycles(root: string, paths: readonly string[] = ['.']): FileCycleReport {
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  const result = spawnSync(biome, ['lint', '--only=suspicious/noImportCycles', '--reporter=concise', '--max-diagnostics=none', '--colors=off', ...paths], { cwd: root, encoding: 'utf8' });
  if (result.error) throw result.error;
  const output = `${result.stdout}${result.stderr}`.trim();
  return { isClean: result.status === 0, output };
}

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const files = checkFileCycles(root);
  const packageCycles = findCycles(await workspacePackageGraph(root));
  if (!files.isClean) console.error(`check:cycles: import cycles between files (value imports):\n${files.output}`);
  for (const cycle of packageCycles) console.error(`check:cycles: workspace packages depend on each other in a cycle: ${cycle.join(' → ')}`);
  if (files.isClean && packageCycles.length === 0) {
    console.log('check:cycles: no import cycle between files or between workspace packages.');
    return;
  }
  process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
