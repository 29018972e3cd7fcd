import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SKIPPED = new Set(['node_modules', '.git', '.qoder-orch', 'dist', 'build', 'coverage', '.next', '__pycache__', '.venv', 'venv', 'target']);

/** A breadth-first listing of the project's files for the planner, relative, at most `limit`. */
export async function listProjectFiles(projectDir: string, limit = 300): Promise<string[]> {
  const files: string[] = [];
  const queue: string[] = [''];
  while (queue.length > 0 && files.length < limit) {
    const folder = queue.shift()!;
    let entries;
    try {
      entries = await readdir(join(projectDir, folder), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) queue.push(path);
      } else if (files.length < limit) files.push(path);
    }
  }
  return files;
}
