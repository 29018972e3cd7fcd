import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '@qoder-orch/core';
import { holds } from './record-case';

/** Invalid config files: each must name the file, the key path and the expected form. */
const CASES: Array<{ name: string; yaml: string; path: string; expected?: RegExp; message?: RegExp }> = [
  { name: 'parallel zero', yaml: 'execution:\n  max_parallel: 0\n', path: 'execution.max_parallel', expected: /at least 1/ },
  { name: 'parallel huge', yaml: 'execution:\n  max_parallel: 10000\n', path: 'execution.max_parallel', expected: /at most 64/ },
  { name: 'parallel fractional', yaml: 'execution:\n  max_parallel: 2.5\n', path: 'execution.max_parallel', expected: /integer/ },
  { name: 'iterations as text', yaml: 'execution:\n  max_iterations: three\n', path: 'execution.max_iterations', expected: /number/ },
  { name: 'speculative as text', yaml: 'execution:\n  enable_speculative: sometimes\n', path: 'execution.enable_speculative', expected: /boolean/ },
  { name: 'isolation enum', yaml: 'execution:\n  isolation: docker\n', path: 'execution.isolation', expected: /"worktree"/ },
  { name: 'negative budget', yaml: 'execution:\n  budget_usd: -1\n', path: 'execution.budget_usd', expected: /at least|positive/ },
  { name: 'test command as a string', yaml: 'execution:\n  test_command: npm test\n', path: 'execution.test_command', expected: /array/ },
  { name: 'timeout zero', yaml: 'llm:\n  timeout: 0\n', path: 'llm.timeout' },
  { name: 'similarity out of range', yaml: 'semantic_search:\n  similarity_threshold: 2\n', path: 'semantic_search.similarity_threshold', expected: /at most 1/ },
  { name: 'cache size negative', yaml: 'cache:\n  max_size_mb: -10\n', path: 'cache.max_size_mb' },
  { name: 'retry attempts zero', yaml: 'retry:\n  max_attempts: 0\n', path: 'retry.max_attempts', expected: /at least 1/ },
  { name: 'backoff below one', yaml: 'retry:\n  backoff_factor: 0.5\n', path: 'retry.backoff_factor', expected: /at least 1/ },
  { name: 'rollback flag as number', yaml: 'rollback:\n  auto_rollback_on_failure: 2\n', path: 'rollback.auto_rollback_on_failure', expected: /boolean/ },
  { name: 'unknown section', yaml: 'excution:\n  max_parallel: 2\n', path: 'excution', message: /unknown key/ },
  { name: 'unknown key', yaml: 'validation:\n  strict: true\n', path: 'validation.strict', message: /unknown key/ },
  { name: 'section as a list', yaml: 'execution:\n  - max_parallel: 2\n', path: 'execution', expected: /object/ },
  { name: 'YAML syntax', yaml: 'execution: {max_parallel: 2\n', path: '', message: /YAML syntax error at line/ },
  { name: 'not a mapping', yaml: '42\n', path: '', message: /mapping/ },
  { name: 'delay with a unit', yaml: 'retry:\n  initial_delay_ms: 1s\n', path: 'retry.initial_delay_ms', expected: /number/ },
  { name: 'empty provider name', yaml: 'llm:\n  provider: ""\n', path: 'llm.provider' },
  { name: 'empty test command', yaml: 'execution:\n  test_command: []\n', path: 'execution.test_command' },
  { name: 'budget as text', yaml: 'execution:\n  budget_usd: ten dollars\n', path: 'execution.budget_usd', expected: /number/ },
  { name: 'conflict policy enum', yaml: 'execution:\n  on_conflict: ignore\n', path: 'execution.on_conflict', expected: /"resolve"/ },
  { name: 'task timeout over a day', yaml: 'execution:\n  task_timeout: 100000\n', path: 'execution.task_timeout', expected: /at most/ },
  { name: 'null section', yaml: 'retry: ~\n', path: 'retry' },
];

/** Invalid `QODER_ORCH_*` variables: each must name the variable, say it came from the environment, and the expected form. */
const ENVIRONMENT_CASES: Array<{ name: string; env: Record<string, string>; path: string; expected: RegExp }> = [
  { name: 'parallel as a word', env: { QODER_ORCH_MAX_PARALLEL: 'three' }, path: 'QODER_ORCH_MAX_PARALLEL', expected: /integer/ },
  { name: 'boolean as maybe', env: { QODER_ORCH_ENABLE_SPECULATIVE: 'maybe' }, path: 'QODER_ORCH_ENABLE_SPECULATIVE', expected: /true or false/ },
  { name: 'budget not a number', env: { QODER_ORCH_BUDGET_USD: '$5' }, path: 'QODER_ORCH_BUDGET_USD', expected: /number/ },
  { name: 'parallel zero', env: { QODER_ORCH_MAX_PARALLEL: '0' }, path: 'execution.max_parallel', expected: /at least 1/ },
  { name: 'isolation unknown', env: { QODER_ORCH_ISOLATION: 'docker' }, path: 'execution.isolation', expected: /"worktree"/ },
];

describe('hostile config', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it.each(CASES)('$name: names the file, $path and the expected form', async ({ name, yaml, path, expected, message }) => {
    await holds('hostile config', name, async () => {
      const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-config-'));
      directories.push(projectDir);
      const file = join(projectDir, '.qoder-orchestrate.yaml');
      await writeFile(file, yaml);
      const error = await loadConfig({ projectDir, env: {} }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ConfigError.isInstance(error)).toBe(true);
      const configError = error as ConfigError;
      expect(configError.file).toBe(file);
      expect(configError.message).toContain(file);
      const issue = configError.issues.find((candidate) => candidate.path === path);
      expect(issue, `issues: ${JSON.stringify(configError.issues)}`).toBeDefined();
      if (expected) expect(issue!.expected).toMatch(expected);
      if (message) expect(issue!.message).toMatch(message);
    });
  });

  it.each(ENVIRONMENT_CASES)('environment $name: names the variable or key, the environment and the expected form', async ({ name, env, path, expected }) => {
    await holds('hostile config', `environment: ${name}`, async () => {
      const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-config-'));
      directories.push(projectDir);
      const error = await loadConfig({ projectDir, env }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ConfigError.isInstance(error)).toBe(true);
      const configError = error as ConfigError;
      expect(configError.message).toContain('environment');
      const issue = configError.issues.find((candidate) => candidate.path === path);
      expect(issue, `issues: ${JSON.stringify(configError.issues)}`).toBeDefined();
      expect(issue!.expected).toMatch(expected);
    });
  });

  it('explicit options: an invalid override names options, the key path and the expected form', async () => {
    await holds('hostile config', 'options: negative parallel', () => {
      const error = (() => {
        try {
          resolveConfig({ execution: { maxParallel: -1 } });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).message).toContain('options');
      expect((error as ConfigError).issues).toContainEqual(expect.objectContaining({ path: 'execution.maxParallel', expected: expect.stringMatching(/at least 1/) }));
    });
  });

  it('a folder where the config file should be: names the file and says it cannot be read', async () => {
    await holds('hostile config', 'config path is a folder', async () => {
      const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-config-'));
      directories.push(projectDir);
      await mkdir(join(projectDir, '.qoder-orchestrate.yaml'));
      const error = await loadConfig({ projectDir, env: {} }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).file).toBe(join(projectDir, '.qoder-orchestrate.yaml'));
      expect((error as ConfigError).message).toMatch(/cannot read/);
    });
  });
});
