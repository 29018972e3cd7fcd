import { afterEach, describe, expect, it } from 'vitest';
import { detectCheckChanges } from './check-changes';
import { observeGitSpawns } from '../git/git-client';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

const project = {
  'package.json': JSON.stringify({ name: 'p', scripts: { test: 'node --test', build: 'tsc' } }, null, 2),
  'test/math.test.js': "import test from 'node:test';\ntest('adds', () => {});\n",
  'test/old.test.js': "import test from 'node:test';\ntest('old', () => {});\n",
  'tests/test_api.py': 'def test_api():\n    assert True\n',
  'pyproject.toml': '[project]\nname = "p"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n',
  Makefile: 'build:\n\tcc main.c\n\ntest:\n\t./run-tests\n',
  '.github/workflows/ci.yml': 'on: push\n',
  'src/math.js': 'export const add = (a, b) => a + b;\n',
};

async function changed(edit: (repo: TemporaryRepository) => Promise<void>) {
  const repo = await createTemporaryRepository(project);
  repositories.push(repo);
  const from = (await repo.git(['rev-parse', 'HEAD'])).trim();
  await edit(repo);
  const to = await repo.commitAll('agent work');
  return detectCheckChanges({ cwd: repo.root, from, to, taskId: 'task-a' });
}

describe('detectCheckChanges', () => {
  it('finds a test script rewritten to always pass, and nothing in ordinary source changes', async () => {
    const changes = await changed(async (repo) => {
      await repo.write('package.json', JSON.stringify({ name: 'p', scripts: { test: 'node --test || true', build: 'tsc -p .' } }, null, 2));
      await repo.write('src/math.js', 'export const add = (a, b) => a - b;\n');
    });
    expect(changes).toEqual([{ path: 'package.json', kind: 'test-script', detail: 'script "test" changed from "node --test" to "node --test || true"', isBlocking: true, taskId: 'task-a' }]);
  });

  it('reads the contents of only the files that can carry checks, both sides in one git process', async () => {
    const shown: string[] = [];
    let readers = 0;
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args[0] === 'show') shown.push(spawn.args[1] ?? '');
      if (spawn.args[0] === 'cat-file') {
        readers += 1;
        shown.push(...(spawn.input ?? '').split('\n').filter(Boolean));
      }
    });
    try {
      const changes = await changed(async (repo) => {
        await repo.write('src/math.js', 'export const add = (a, b) => a - b;\n');
        await repo.write('src/new.js', 'export {};\n');
        await repo.write('test/math.test.js', "import test from 'node:test';\ntest.skip('adds', () => {});\n");
      });
      expect(changes.map((change) => change.kind)).toEqual(['test-skipped']);
    } finally {
      stop();
    }
    expect(shown.map((object) => object.slice(object.indexOf(':') + 1)).sort()).toEqual(['test/math.test.js', 'test/math.test.js']);
    expect(readers).toBe(1);
  });

  it('finds deleted tests, added skips (JS and pytest), runner config, CI and make test targets', async () => {
    const changes = await changed(async (repo) => {
      await repo.remove('test/old.test.js');
      await repo.write('test/math.test.js', "import test from 'node:test';\ntest.skip('adds', () => {});\nit.only('x', () => {});\n");
      await repo.write('tests/test_api.py', 'import pytest\n\n@pytest.mark.skip\ndef test_api():\n    assert True\n');
      await repo.write('pyproject.toml', '[project]\nname = "p"\n\n[tool.pytest.ini_options]\naddopts = "-q --deselect tests/test_api.py"\n');
      await repo.write('Makefile', 'build:\n\tcc main.c\n\ntest:\n\ttrue\n');
      await repo.write('.github/workflows/ci.yml', 'on: workflow_dispatch\n');
      await repo.write('vitest.config.ts', 'export default {};\n');
    });
    const summary = changes.map((change) => `${change.kind} ${change.path} ${change.isBlocking ? 'blocks' : 'shown'}`).sort();
    expect(summary).toEqual(
      [
        'ci .github/workflows/ci.yml blocks',
        'build-target Makefile blocks',
        'runner-config pyproject.toml blocks',
        'runner-config vitest.config.ts shown',
        'test-deleted test/old.test.js blocks',
        'test-skipped test/math.test.js blocks',
        'test-skipped tests/test_api.py blocks',
      ].sort(),
    );
    expect(changes.find((change) => change.path === 'tests/test_api.py')?.detail).toBe('1 × a pytest skip/xfail mark added');
    expect(changes.find((change) => change.path === 'test/math.test.js')?.detail).toBe('2 × a .skip/.todo/.only added');
  });

  it('shows an added test script and a moved test without blocking, and ignores new tests and unrelated pyproject edits', async () => {
    const changes = await changed(async (repo) => {
      await repo.write('package.json', JSON.stringify({ name: 'p', version: '2.0.0', scripts: { test: 'node --test', build: 'tsc', 'test:unit': 'node --test test/unit' } }, null, 2));
      await repo.write('test/new.test.js', "import test from 'node:test';\ntest('new', () => {});\n");
      await repo.write('test/unit/old.test.js', "import test from 'node:test';\ntest('old', () => {});\n");
      await repo.remove('test/old.test.js');
      await repo.write('pyproject.toml', '[project]\nname = "p2"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n');
    });
    expect(changes).toEqual([
      { path: 'package.json', kind: 'test-script', detail: 'script "test:unit" added: node --test test/unit', isBlocking: false, taskId: 'task-a' },
      { path: 'test/old.test.js', kind: 'test-deleted', detail: 'test file moved unchanged to test/unit/old.test.js', isBlocking: false, taskId: 'task-a' },
    ]);
  });
});
