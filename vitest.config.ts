import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests resolve the workspace packages to their sources, so nothing needs building first.
 * Order matters: the `/test` subpaths must come before the package roots.
 */
const alias = [
  { find: /^@qoder-orch\/spec$/, replacement: source('./packages/spec/src/index.ts') },
  { find: /^@qoder-orch\/contracts\/test$/, replacement: source('./packages/contracts/src/test/index.ts') },
  { find: /^@qoder-orch\/contracts$/, replacement: source('./packages/contracts/src/index.ts') },
  { find: /^@qoder-orch\/core\/test$/, replacement: source('./packages/core/src/test/index.ts') },
  { find: /^@qoder-orch\/core$/, replacement: source('./packages/core/src/index.ts') },
  { find: /^@qoder-orch\/providers\/test$/, replacement: source('./packages/providers/src/test/index.ts') },
  { find: /^@qoder-orch\/providers$/, replacement: source('./packages/providers/src/index.ts') },
  { find: /^@qoder-orch\/context\/test$/, replacement: source('./packages/context/src/test/index.ts') },
  { find: /^@qoder-orch\/context$/, replacement: source('./packages/context/src/index.ts') },
  { find: /^@qoder-orch\/distributed\/test$/, replacement: source('./packages/distributed/src/test/index.ts') },
  { find: /^@qoder-orch\/distributed$/, replacement: source('./packages/distributed/src/index.ts') },
  { find: /^@qoder-orch\/cli$/, replacement: source('./packages/cli/src/index.ts') },
];

const project = (name: string, include: string[], extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, include, ...extra },
});

export default defineConfig({
  resolve: { alias },
  test: {
    // Task worktrees live in the user's cache folder by default; tests keep theirs (kept worktrees
    // of failed runs included) in the temp folder instead.
    env: { XDG_CACHE_HOME: join(tmpdir(), 'qoder-orch-test-cache') },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: integration tests spawn real CLIs and git; keep contention bounded.
    maxWorkers: 2,
    projects: [
      project('spec', ['packages/spec/src/**/*.test.ts']),
      project('contracts', ['packages/contracts/src/**/*.test.ts']),
      project('core', ['packages/core/src/**/*.test.ts']),
      project('providers', ['packages/providers/src/**/*.test.ts']),
      project('context', ['packages/context/src/**/*.test.ts']),
      project('distributed', ['packages/distributed/src/**/*.test.ts']),
      project('cli', ['packages/cli/src/**/*.test.ts']),
      project('examples', ['examples/*/src/**/*.test.ts']),
      project('tooling', ['scripts/**/*.test.ts', 'packaging/**/*.test.ts', 'bench/*.test.ts']),
      project('reliability', ['reliability/**/*.test.ts'], { globalSetup: ['reliability/figures-setup.ts'] }),
    ],
  },
});
