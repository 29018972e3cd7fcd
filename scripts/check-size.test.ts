import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countLines, findOversizedFiles } from './check-size';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function repository(files: Record<string, number>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-check-size-'));
  roots.push(root);
  for (const [path, lines] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), 'export const line = 1;\n'.repeat(lines));
  }
  return root;
}

describe('countLines', () => {
  it('counts lines as an editor numbers them', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\n')).toBe(1);
    expect(countLines('a\nb')).toBe(2);
    expect(countLines('a\n\n')).toBe(2);
  });
});

describe('findOversizedFiles', () => {
  it('lists non-test source files over the limit, longest first, in every package', async () => {
    const root = await repository({
      'packages/core/src/small.ts': 400,
      'packages/core/src/deep/large.ts': 401,
      'packages/spec/src/larger.mjs': 900,
    });
    expect(await findOversizedFiles(root)).toEqual([
      { path: 'packages/spec/src/larger.mjs', lines: 900 },
      { path: 'packages/core/src/deep/large.ts', lines: 401 },
    ]);
  });

  it('leaves out tests, fixtures, declarations, built output and files outside src', async () => {
    const root = await repository({
      'packages/core/src/long.test.ts': 900,
      'packages/core/src/long.int.test.ts': 900,
      'packages/core/src/__fixtures__/recorded.ts': 900,
      'packages/core/src/types.d.ts': 900,
      'packages/core/dist/index.js': 900,
      'packages/core/scripts/tool.ts': 900,
      'packages/core/src/notes.md': 900,
    });
    expect(await findOversizedFiles(root)).toEqual([]);
  });

  it('takes another limit', async () => {
    const root = await repository({ 'packages/cli/src/a.ts': 11 });
    expect(await findOversizedFiles(root, 10)).toEqual([{ path: 'packages/cli/src/a.ts', lines: 11 }]);
  });
});
