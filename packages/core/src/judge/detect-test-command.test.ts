import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectProjectChecks } from './run-verification';
import { detectTestCommand, pinTestCommand } from './detect-test-command';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});
async function project(files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-detect-'));
  directories.push(directory);
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) await mkdir(join(directory, path), { recursive: true });
    else await writeFile(join(directory, path), content);
  }
  return directory;
}

describe('detectTestCommand', () => {
  it('uses the package.json test script with the project package manager', async () => {
    expect(await detectTestCommand(await project({ 'package.json': '{"scripts":{"test":"vitest run"}}' }))).toEqual(['npm', 'test', '--silent']);
    expect(await detectTestCommand(await project({ 'package.json': '{"scripts":{"test":"vitest run"}}', 'pnpm-lock.yaml': '' }))).toEqual(['pnpm', 'test']);
    expect(await detectTestCommand(await project({ 'package.json': '{"packageManager":"yarn@4.1.0","scripts":{"test":"jest"}}' }))).toEqual(['yarn', 'test']);
  });

  it("ignores npm's placeholder and broken package.json, and finds pytest, cargo and go", async () => {
    expect(await detectTestCommand(await project({ 'package.json': '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' }))).toBeUndefined();
    expect(await detectTestCommand(await project({ 'package.json': '{ broken', 'pyproject.toml': '', 'tests/': '' }))).toEqual(['python3', '-m', 'pytest', '-q']);
    expect(await detectTestCommand(await project({ 'pyproject.toml': '' }))).toBeUndefined();
    expect(await detectTestCommand(await project({ 'Cargo.toml': '' }))).toEqual(['cargo', 'test']);
    expect(await detectTestCommand(await project({ 'go.mod': '' }))).toEqual(['go', 'test', './...']);
    expect(await detectTestCommand(await project({}))).toBeUndefined();
  });
});

describe('pinTestCommand', () => {
  it('captures the package test script (with pre/post scripts) as text, to run exactly as it read at the start', async () => {
    const directory = await project({ 'package.json': '{"scripts":{"pretest":"tsc","test":"node --test","posttest":"echo done"}}' });
    const pinned = await pinTestCommand(directory);
    expect(pinned).toMatchObject({ source: 'package-script', script: 'tsc && node --test && echo done' });
    expect(pinned?.command.at(-1)).toBe('tsc && node --test && echo done');
    expect(pinned?.prependPath?.[0]).toBe(join(directory, 'node_modules', '.bin'));
  });

  it('prefers the configured command, and falls back to the detected runners', async () => {
    expect(await pinTestCommand(await project({ 'package.json': '{"scripts":{"test":"jest"}}' }), ['make', 'test'])).toEqual({ command: ['make', 'test'], source: 'config' });
    // A configured package-manager call is pinned to the script it runs now.
    expect(await pinTestCommand(await project({ 'package.json': '{"scripts":{"test":"jest","check":"tsc && jest"}}' }), ['pnpm', 'run', 'check'])).toMatchObject({ source: 'package-script', script: 'tsc && jest' });
    expect(await pinTestCommand(await project({ 'package.json': '{"scripts":{"test":"jest"}}' }), ['npm', 'test', '--', '--ci'])).toEqual({ command: ['npm', 'test', '--', '--ci'], source: 'config' });
    expect(await pinTestCommand(await project({ 'Cargo.toml': '' }))).toEqual({ command: ['cargo', 'test'], source: 'detected' });
    expect(await pinTestCommand(await project({}))).toBeUndefined();
  });

  it('runs the pinned script with the project binaries on PATH, whatever package.json says later', async () => {
    const directory = await project({ 'package.json': '{"scripts":{"test":"check-it"}}', 'node_modules/': '', 'node_modules/.bin/': '' });
    await writeFile(join(directory, 'node_modules', '.bin', 'check-it'), '#!/bin/sh\necho "pinned ran"\nexit 3\n', { mode: 0o755 });
    const pinned = (await pinTestCommand(directory))!;
    await writeFile(join(directory, 'package.json'), '{"scripts":{"test":"check-it || true"}}');
    const [result] = await collectProjectChecks({ cwd: directory, command: pinned.command, ...(pinned.prependPath ? { prependPath: pinned.prependPath } : {}) });
    expect(result).toMatchObject({ exitCode: 3, passed: false, phase: 'project' });
    expect(result?.outputTail).toContain('pinned ran');
  });
});
