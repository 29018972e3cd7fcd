import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectTestCommand } from '../index';

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
