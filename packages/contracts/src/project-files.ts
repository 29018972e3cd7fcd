import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { OrchestratorError } from '@qoder-orch/spec';

/** Folders never read: dependencies, build output, caches, virtual environments. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'out', 'coverage', 'target', 'vendor', '__pycache__', 'venv', 'env', 'site-packages']);

/** Tests, mocks and generated declarations call or declare routes that are not the app's. */
export const DEFAULT_EXCLUDE: readonly string[] = ['**/*.test.*', '**/*.spec.*', '**/__tests__/**', '**/__mocks__/**', '**/__fixtures__/**', '**/test_*.py', '**/*_test.py', '**/tests/**', '**/*.min.js'];

export interface ProjectFileOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  /** @default 5000 */
  maxFiles?: number;
  /** Bytes. @default 1000000 */
  maxFileBytes?: number;
  abortSignal?: AbortSignal;
}

/** The project's source files (relative, `/`-separated, sorted), skipping hidden and dependency folders. */
export async function listProjectFiles(projectDir: string, options: ProjectFileOptions = {}): Promise<string[]> {
  const isIncluded = options.include && options.include.length > 0 ? picomatch([...options.include], { dot: true }) : () => true;
  const isExcluded = picomatch([...(options.exclude ?? DEFAULT_EXCLUDE)], { dot: true });
  const maxFiles = options.maxFiles ?? 5000;
  const maxFileBytes = options.maxFileBytes ?? 1_000_000;
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'Contract verification was aborted.' });
    const entries = await readdir(join(projectDir, relative), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= maxFiles) return;
      const path = relative ? posix.join(relative, entry.name) : entry.name;
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name)) continue;
        await walk(path);
      } else if (entry.isFile() && isIncluded(path) && !isExcluded(path)) {
        const size = (await stat(join(projectDir, path)).catch(() => undefined))?.size ?? 0;
        if (size <= maxFileBytes) files.push(path);
      }
    }
  };
  await walk('');
  return files;
}
