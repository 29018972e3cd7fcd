import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '../index';
import { provisionSettingsOf } from '../run/run-policies';

let directory: string;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});
const project = async (yaml?: string) => {
  directory = await mkdtemp(join(tmpdir(), 'qoder-orch-config-'));
  if (yaml !== undefined) await writeFile(join(directory, '.qoder-orchestrate.yaml'), yaml);
  return directory;
};
const configError = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error)).toBe(true);
  return error as ConfigError;
};

describe('loadConfig', () => {
  it('uses the defaults when there is no file', async () => {
    const { config, file } = await loadConfig({ projectDir: await project(), env: {} });
    expect(file).toBeUndefined();
    expect(config.execution).toMatchObject({ maxParallel: 3, maxIterations: 3, enableSpeculative: false });
    expect(config.llm.provider).toBe('qoder');
    expect(config.retry).toMatchObject({ maxAttempts: 3, backoffFactor: 2 });
  });

  it('applies defaults < file < environment < options, key by key', async () => {
    const projectDir = await project('execution:\n  max_parallel: 5\n  max_iterations: 7\nllm:\n  provider: claude\nretry:\n  max_attempts: 4\n');
    const { config, file } = await loadConfig({
      projectDir,
      env: { QODER_ORCH_MAX_ITERATIONS: '9', QODER_ORCH_LLM_PROVIDER: 'codex', QODER_ORCH_AUTO_ROLLBACK: 'yes', QODER_ORCH_WORKTREE_ROOT: '/var/cache/worktrees' },
      overrides: { llm: { provider: 'gemini' } },
    });
    expect(file).toBe(join(projectDir, '.qoder-orchestrate.yaml'));
    expect(config.execution.maxParallel).toBe(5); // file
    expect(config.execution.maxIterations).toBe(9); // environment over file
    expect(config.llm.provider).toBe('gemini'); // options over environment
    expect(config.retry.maxAttempts).toBe(4); // file, untouched
    expect(config.retry.backoffFactor).toBe(2); // default
    expect(config.rollback.autoRollbackOnFailure).toBe(true); // environment
    expect(config.execution.worktreeRoot).toBe('/var/cache/worktrees'); // environment
  });

  it('names the file, the key path, the line and the expected form for a bad value', async () => {
    const projectDir = await project('execution:\n  max_parallel: 500\nretry:\n  backoff_factor: "fast"\n');
    const error = await configError(loadConfig({ projectDir, env: {} }));
    expect(error.file).toBe(join(projectDir, '.qoder-orchestrate.yaml'));
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'execution.max_parallel', expected: 'a value of at most 64', message: expect.stringContaining('line 2') }),
      expect.objectContaining({ path: 'retry.backoff_factor', expected: 'a number', message: expect.stringContaining('line 4') }),
    ]);
    expect(error.message).toContain('execution.max_parallel');
  });

  it('rejects unknown keys and enum values, and YAML that is not YAML', async () => {
    let error = await configError(loadConfig({ projectDir: await project('execution:\n  max_paralel: 2\n'), env: {} }));
    expect(error.issues[0]).toMatchObject({ path: 'execution.max_paralel', message: expect.stringContaining('unknown key') });
    error = await configError(loadConfig({ projectDir: await project('execution:\n  maxParallel: 2\n'), env: {} }));
    expect(error.issues[0]).toMatchObject({ path: 'execution.maxParallel', message: 'unknown key "maxParallel"', expected: expect.stringContaining('"max_parallel"') });
    error = await configError(loadConfig({ projectDir: await project('execution:\n  isolation: sometimes\n'), env: {} }));
    expect(error.issues[0]).toMatchObject({ path: 'execution.isolation', expected: expect.stringContaining('"worktree"') });
    error = await configError(loadConfig({ projectDir: await project('execution: [\n  broken'), env: {} }));
    expect(error.issues[0]!.message).toMatch(/YAML syntax error at line \d+/);
    error = await configError(loadConfig({ projectDir: await project('- a list\n'), env: {} }));
    expect(error.issues[0]!.message).toContain('mapping');
  });

  it('requires an explicit config path to exist, and reads it relative to the project', async () => {
    const projectDir = await project();
    await expect(loadConfig({ projectDir, configPath: 'missing.yaml', env: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await mkdir(join(projectDir, 'conf'));
    await writeFile(join(projectDir, 'conf', 'orch.yaml'), 'execution:\n  max_parallel: 2\n');
    expect((await loadConfig({ projectDir, configPath: 'conf/orch.yaml', env: {} })).config.execution.maxParallel).toBe(2);
  });

  it('names the environment variable that is wrong', async () => {
    const error = await configError(loadConfig({ projectDir: await project(), env: { QODER_ORCH_MAX_PARALLEL: 'many' } }));
    expect(error.file).toBe('environment');
    expect(error.issues[0]).toMatchObject({ path: 'QODER_ORCH_MAX_PARALLEL', expected: 'an integer' });
  });

  it('reads the workspace section from the file in snake_case, and refuses a setup command that needs a shell', async () => {
    const dir = await project('workspace:\n  include_file: .worktreeinclude\n  dependencies: copy\n  setup: ["npm ci --offline", [make, seed]]\n  teardown_timeout: 20\n  port_base: 45000\n  ports_per_task: 4\n');
    const { config } = await loadConfig({ projectDir: dir, env: {} });
    expect(config.workspace).toEqual({ includeFile: '.worktreeinclude', dependencies: 'copy', setup: ['npm ci --offline', ['make', 'seed']], teardown: [], commandTimeout: 600, teardownTimeout: 20, portBase: 45000, portsPerTask: 4 });
    expect(provisionSettingsOf(config)).toMatchObject({ commandTimeoutMs: 600_000, teardownTimeoutMs: 20_000 });
    const shell = await project('workspace:\n  setup: ["npm ci && npm run build"]\n');
    await expect(loadConfig({ projectDir: shell, env: {} })).rejects.toThrow(/workspace\.setup\.0.*shell syntax/s);
  });

  it('reads queue execution from the file and QODER_ORCH_REDIS (the environment wins), and refuses a URL that is not Redis', async () => {
    const dir = await project('queue:\n  redis: redis://queue.internal:6379\n  remote: git@example.com:team/app.git\n  name: team-app\n  connection_loss_seconds: 5\n');
    expect((await loadConfig({ projectDir: dir, env: {} })).config.queue).toEqual({ redis: 'redis://queue.internal:6379', remote: 'git@example.com:team/app.git', name: 'team-app', connectionLossSeconds: 5 });
    expect((await loadConfig({ projectDir: dir, env: { QODER_ORCH_REDIS: 'rediss://:pw@other:6380' } })).config.queue.redis).toBe('rediss://:pw@other:6380');
    expect((await loadConfig({ projectDir: await project(), env: {} })).config.queue).toEqual({ remote: 'origin', connectionLossSeconds: 30 });
    const error = await configError(loadConfig({ projectDir: await project('queue:\n  redis: http://queue.internal\n'), env: {} }));
    expect(error.issues[0]).toMatchObject({ path: 'queue.redis', message: expect.stringContaining('redis://') });
  });

  it('validates explicit options too', () => {
    expect(() => resolveConfig({ execution: { maxParallel: 0 } })).toThrow(/execution\.maxParallel/);
    expect(resolveConfig({ execution: { maxParallel: 8 } }).execution.maxParallel).toBe(8);
  });
});
