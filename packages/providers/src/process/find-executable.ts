import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FindExecutableOptions {
  /** Where the project is: its `node_modules/.bin` (and its parents') are searched first. @default process.cwd() */
  cwd?: string;
  /** The `PATH` to search after the project. @default process.env.PATH */
  path?: string;
}

function isExecutableFile(candidate: string): boolean {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function nodeModulesBins(start: string): string[] {
  const directories: string[] = [];
  let current = resolve(start);
  for (;;) {
    directories.push(join(current, 'node_modules', '.bin'));
    const parent = dirname(current);
    if (parent === current) return directories;
    current = parent;
  }
}

/** This package's own location, so a CLI installed beside it (a devDependency in a monorepo) is found too. */
function ownDirectory(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * Finds an executable by name: in `node_modules/.bin` of the project and its parents, then on
 * `PATH`. The first of `names` that exists wins. Returns an absolute path, or `undefined`.
 */
export function findExecutable(names: readonly string[], options: FindExecutableOptions = {}): string | undefined {
  const cwd = options.cwd ?? process.cwd();
  const own = ownDirectory();
  const pathDirectories = (options.path ?? process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  const directories = [...nodeModulesBins(cwd), ...(own ? nodeModulesBins(own) : []), ...pathDirectories];
  for (const name of names) {
    if (isAbsolute(name)) {
      if (isExecutableFile(name)) return name;
      continue;
    }
    for (const directory of directories) {
      const candidate = join(directory, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}
