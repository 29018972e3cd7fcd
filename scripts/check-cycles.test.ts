import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFileCycles, findCycles, workspacePackageGraph } from './check-cycles';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

/** A git repository with this repository's biome.json and the given files. */
async function repository(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-check-cycles-'));
  roots.push(root);
  execFileSync('git', ['init', '-q'], { cwd: root });
  await copyFile(fileURLToPath(new URL('../biome.json', import.meta.url)), join(root, 'biome.json'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const manifest = (name: string, dependencies: Record<string, string> = {}) => JSON.stringify({ name, version: '0.0.0', dependencies });

describe('findCycles', () => {
  it('finds each cycle once as the path that closes it', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('finds nothing in a graph that only points one way', () => {
    const graph = new Map([
      ['cli', new Set(['core', 'spec'])],
      ['core', new Set(['spec'])],
      ['spec', new Set<string>()],
    ]);
    expect(findCycles(graph)).toEqual([]);
  });
});

describe('workspacePackageGraph', () => {
  it('joins package.json dependencies and the workspace packages the sources import, type imports included', async () => {
    const root = await repository({
      'packages/spec/package.json': manifest('@x/spec'),
      'packages/spec/src/index.ts': "import type { Engine } from '@x/core/test';\nexport type Spec = Engine;\n",
      'packages/core/package.json': manifest('@x/core', { '@x/spec': 'workspace:*', zod: '^4.0.0' }),
      'packages/core/src/index.ts': "import { z } from 'zod';\nexport const engine = z;\n",
      'packages/notes/README.md': 'not a package',
    });
    const graph = await workspacePackageGraph(root);
    expect(graph).toEqual(
      new Map([
        ['@x/core', new Set(['@x/spec'])],
        ['@x/spec', new Set(['@x/core'])],
      ]),
    );
    expect(findCycles(graph)).toEqual([['@x/core', '@x/spec', '@x/core']]);
  });
});

describe('checkFileCycles', () => {
  it('fails on files that import values from each other and names both', async () => {
    const root = await repository({
      'src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      'src/c.ts': "import { a } from './a';\nexport const c = a;\n",
    });
    const report = checkFileCycles(root);
    expect(report.isClean).toBe(false);
    expect(report.output).toContain('src/a.ts');
    expect(report.output).toContain('src/b.ts');
    expect(report.output).not.toContain('src/c.ts');
  });

  it('passes a cycle made only of type imports, which the compiler erases', async () => {
    const root = await repository({
      'src/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'src/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    });
    expect(checkFileCycles(root)).toMatchObject({ isClean: true });
  });
});
