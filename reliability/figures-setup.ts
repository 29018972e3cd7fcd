import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityLog: string;
  }
}

interface CaseLine {
  category: string;
  name: string;
  phase: 'tried' | 'held';
  dataLost?: number;
}

/**
 * Gives every reliability test a log file for its cases, and prints one line per category at
 * the end: cases tried, cases held, data lost (which must be 0).
 */
export default function setup(project: TestProject) {
  const directory = mkdtempSync(join(tmpdir(), 'qoder-orch-reliability-'));
  const log = join(directory, 'cases.ndjson');
  project.provide('reliabilityLog', log);
  return () => {
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {
      // No case ran.
    }
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as CaseLine);
    const categories = new Map<string, { tried: Set<string>; held: Set<string>; dataLost: number }>();
    for (const line of lines) {
      const entry = categories.get(line.category) ?? { tried: new Set(), held: new Set(), dataLost: 0 };
      entry[line.phase].add(line.name);
      entry.dataLost += line.dataLost ?? 0;
      categories.set(line.category, entry);
    }
    if (categories.size > 0) {
      const width = Math.max(...[...categories.keys()].map((name) => name.length));
      process.stdout.write('\nReliability figures\n');
      for (const [category, entry] of [...categories].sort(([a], [b]) => a.localeCompare(b))) {
        process.stdout.write(`  ${category.padEnd(width)}  cases tried ${entry.tried.size}, held ${entry.held.size}, data lost ${entry.dataLost}\n`);
      }
    }
    rmSync(directory, { recursive: true, force: true });
  };
}
