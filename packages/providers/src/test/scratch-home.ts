import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let home: string | undefined;

/**
 * One empty temporary `HOME` per test process for the real CLIs (removed when the process
 * exits): their login shells then source no user `~/.bashrc`.
 */
export function scratchHome(): string {
  if (home === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'fake-cli-home-'));
    home = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return home;
}
