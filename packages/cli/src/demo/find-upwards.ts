import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The first `start/<relative>`, `start/../<relative>` … that exists, or undefined. */
export function findUpwards(start: string, relative: string): string | undefined {
  let directory = start;
  for (;;) {
    const candidate = join(directory, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
