import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '@qoder-orch/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_CODES, runCli } from '../index';
import { captureIo } from '../testing/capture-output';
import { createGitProject } from '../testing/git-project';

const directories: string[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

/** A provider module whose own check says it is installed and signed in. */
const READY_PROVIDER = `export default { specificationVersion: 'v1', providerId: 'ready-agent', doComplete: async () => ({ text: '', usage: { inputTokens: 0, outputTokens: 0 } }), doRunTask: async () => ({ summary: '', usage: { inputTokens: 0, outputTokens: 0 }, durationMs: 0 }), doCheck: async () => ({ installed: true, version: '9.9.9', authenticated: true, problems: [] }) };\n`;

async function project(): Promise<string> {
  const projectDir = await createGitProject({ 'package.json': JSON.stringify({ name: 'app', scripts: { test: 'node --test' } }), 'provider.mjs': READY_PROVIDER });
  directories.push(projectDir);
  await mkdir(join(projectDir, '.claude', 'agents'), { recursive: true });
  await writeFile(join(projectDir, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\ndescription: Reviews diffs for bugs.\n---\nYou review diffs.\n');
  return projectDir;
}

describe('qoder-orchestrate init', () => {
  it('writes a commented config the loader reads back, with the detected test command and the chosen providers, lists the subagents and checks each provider', async () => {
    const projectDir = await project();
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    const io = captureIo({ cwd: projectDir });
    const code = await runCli(['init', '--project-dir', projectDir, '--llm-provider', './provider.mjs', '--plan-provider', 'ai-sdk:anthropic/claude-sonnet-4-5'], io);
    const text = await readFile(join(projectDir, '.qoder-orchestrate.yaml'), 'utf8');
    expect(text).toMatch(/^# qoder-orchestrate settings/);
    expect(text).toMatch(/# judge_provider: /);
    const { config } = await loadConfig({ projectDir, env: {}, overrides: {} });
    expect(config.execution.testCommand).toEqual(['npm', 'test', '--silent']);
    expect(config.llm).toMatchObject({ provider: './provider.mjs', planProvider: 'ai-sdk:anthropic/claude-sonnet-4-5' });
    expect(config.llm.judgeProvider).toBeUndefined();

    const out = io.stdout.text();
    expect(out).toMatch(/test command: npm test --silent/);
    expect(out).toMatch(/reviewer\s+\.claude\/agents\/reviewer\.md\s+Reviews diffs for bugs\./);
    expect(out).toMatch(/backend-dev\s+builtin:backend-dev/);
    expect(out).toMatch(/tasks\s+ready-agent: installed 9\.9\.9, signed in/);
    // The planning model has no key: init says so, and how to fix it, and exits 2.
    expect(out).toMatch(/planning\s+ai-sdk:anthropic\/claude-sonnet-4-5: installed, not signed in/);
    expect(out).toMatch(/ANTHROPIC_API_KEY is not set/);
    expect(code).toBe(EXIT_CODES.failed);
  });

  it('never writes over an existing config unless forced', async () => {
    const projectDir = await project();
    await writeFile(join(projectDir, '.qoder-orchestrate.yaml'), 'llm:\n  provider: codex\n');
    const refused = captureIo({ cwd: projectDir });
    expect(await runCli(['init', '--project-dir', projectDir, '--llm-provider', './provider.mjs'], refused)).toBe(EXIT_CODES.invalidInput);
    expect(refused.stderr.text()).toMatch(/already exists[\s\S]*--force/);
    expect(await readFile(join(projectDir, '.qoder-orchestrate.yaml'), 'utf8')).toBe('llm:\n  provider: codex\n');

    const forced = captureIo({ cwd: projectDir });
    expect(await runCli(['init', '--force', '--project-dir', projectDir, '--llm-provider', './provider.mjs'], forced)).toBe(EXIT_CODES.met);
    expect(forced.stdout.text()).toMatch(/Next: git add \.qoder-orchestrate\.yaml && git commit[\s\S]*qoder-orchestrate "<objective>" --plan-only/);
    const { config } = await loadConfig({ projectDir, env: {}, overrides: {} });
    expect(config.llm.provider).toBe('./provider.mjs');
  });

  it('takes no objective', async () => {
    const io = captureIo();
    expect(await runCli(['init', 'do things'], io)).toBe(EXIT_CODES.invalidInput);
    expect(io.stderr.text()).toMatch(/init takes no arguments/);
  });
});
