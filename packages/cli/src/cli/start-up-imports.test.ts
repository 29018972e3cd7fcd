import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const ENTRY = join(ROOT, 'packages', 'cli', 'src', 'index.ts');

/**
 * The packages every module the CLI's entry loads (through the sources, as tsx runs them)
 * comes from, recorded by a resolve hook in a fresh Node process.
 */
async function packagesLoadedBy(entry: string): Promise<Set<string>> {
  const hook = `data:text/javascript,${encodeURIComponent('export async function resolve(specifier, context, next) { const result = await next(specifier, context); process.stderr.write("loaded " + result.url + "\\n"); return result; }')}`;
  const script = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); await import(${JSON.stringify(entry)});`;
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const names = new Set<string>();
  for (const match of stderr.matchAll(/^loaded file:\/\/\S*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//gm)) names.add(match[1]!);
  // The workspace's own packages resolve to their real paths (packages/<name>/dist), not through node_modules.
  for (const match of stderr.matchAll(/^loaded file:\/\/\S*?\/packages\/([a-z-]+)\/(?:dist|src)\//gm)) names.add(`@qoder-orch/${match[1]!}`);
  return names;
}

describe('what the CLI loads at start-up', () => {
  it('leaves the TypeScript compiler, the queue client, the AI SDK, execa, contracts and context for when they are used', async () => {
    const loaded = await packagesLoadedBy(ENTRY);
    // The check can see packages at all: zod is loaded by every part.
    expect(loaded.has('zod')).toBe(true);
    expect(loaded.has('@qoder-orch/core')).toBe(true);
    for (const heavy of ['typescript', 'bullmq', 'ioredis', 'ai', 'execa', '@qoder-orch/distributed']) expect(loaded, heavy).not.toContain(heavy);
    // The contracts and context packages are loaded when a run builds its orchestrator, beside
    // preflight's probes; the report renderer and the demo's fake server when they are used.
    for (const later of ['@qoder-orch/contracts', '@qoder-orch/context']) expect(loaded, later).not.toContain(later);
  }, 60_000);
});
