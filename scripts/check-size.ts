/**
 * `pnpm check:size`: fails when a non-test source file under packages/*\/src is longer than
 * MAX_SOURCE_LINES. A file that long holds more than one idea; split it by idea. Tests are exempt
 * (a table of cases reads best in one place), and so are recorded fixtures.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAX_SOURCE_LINES = 400;

const SOURCE_FILE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
const TEST_FILE = /\.test\.(?:[cm]?[jt]s|tsx|jsx)$/;
const SKIPPED_FOLDERS = new Set(['__fixtures__', 'node_modules', 'dist']);

export interface OversizedFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  lines: number;
}

/** Lines as an editor numbers them: a final newline does not start another line. */
export function countLines(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

async function sourceFiles(root: string, relativeDirectory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, relativeDirectory), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = `${relativeDirectory}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) files.push(...(await sourceFiles(root, path)));
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name) && !TEST_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}

/** Every non-test source file under packages/*\/src longer than `maxLines`, longest first. */
export async function findOversizedFiles(root: string, maxLines = MAX_SOURCE_LINES): Promise<OversizedFile[]> {
  const packageFolders = (await readdir(join(root, 'packages'), { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const oversized: OversizedFile[] = [];
  for (const folder of packageFolders) {
    for (const path of await sourceFiles(root, `packages/${folder.name}/src`)) {
      const lines = countLines(await readFile(join(root, path), 'utf8'));
      if (lines > maxLines) oversized.push({ path, lines });
    }
  }
  return oversized.sort((a, b) => b.lines - a.lines || a.path.localeCompare(b.path));
}

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const oversized = await findOversizedFiles(root);
  if (oversized.length === 0) {
    console.log(`check:size: every non-test source file under packages/*/src has at most ${MAX_SOURCE_LINES} lines.`);
    return;
  }
  console.error(`check:size: ${oversized.length} non-test source file(s) exceed ${MAX_SOURCE_LINES} lines; split them by idea:`);
  for (const file of oversized) console.error(`  ${file.lines.toString().padStart(5)}  ${file.path}`);
  process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
