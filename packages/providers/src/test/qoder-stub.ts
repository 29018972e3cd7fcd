import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Installs the Qoder CLI stand-in as an executable `qodercli` in a new temporary directory and
 * returns its path. It prints the real CLI's output shapes (success, error, "Not logged in");
 * see `qoder-cli-stub.mjs` for the prompt directives that pick a scenario.
 */
export function installQoderStub(directory: string = mkdtempSync(join(tmpdir(), 'qoder-stub-'))): string {
  const target = join(directory, 'qodercli');
  // Not a `new URL(…, import.meta.url)`: Vite rewrites that pattern as an asset import. The script's name differs from this module's so that `./qoder-stub` never resolves to it.
  copyFileSync(join(dirname(fileURLToPath(import.meta.url)), 'qoder-cli-stub.mjs'), target);
  chmodSync(target, 0o755);
  return target;
}
