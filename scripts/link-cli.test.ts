import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_NAME, describeOutcome, linkCli } from './link-cli';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const builtCli = join(root, 'packages', 'cli', 'dist', 'bin.js');

describe('linkCli: qoder-orchestrate on the PATH after the set-up', () => {
  let scratch: string;
  let target: string;
  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-link-cli-'));
    target = join(scratch, 'cli', 'bin.js');
    await mkdir(join(scratch, 'cli'));
    await writeFile(target, '#!/usr/bin/env node\nconsole.log("cli " + process.argv.slice(2).join(" "));\n');
    await chmod(target, 0o755);
  });
  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('links the command into the bin folder, and the link runs the CLI by name from PATH', async () => {
    const binDir = join(scratch, 'bin');
    const outcome = await linkCli({ binDir, target, pathVariable: binDir });
    expect(outcome).toEqual({ kind: 'linked', link: join(binDir, COMMAND_NAME), target, isOnPath: true });
    expect(await readlink(join(binDir, COMMAND_NAME))).toBe(target);
    const { stdout } = await execa(COMMAND_NAME, ['--version'], { env: { PATH: `${binDir}:${process.env.PATH}` } });
    expect(stdout).toBe('cli --version');
  });

  it('is idempotent, and says when the folder is not on PATH', async () => {
    const binDir = join(scratch, 'bin');
    await linkCli({ binDir, target, pathVariable: '/usr/bin' });
    const again = await linkCli({ binDir, target, pathVariable: '/usr/bin' });
    expect(again.kind).toBe('already-linked');
    expect(describeOutcome(again)).toContain(`${binDir} is not on your PATH`);
  });

  it('never replaces another install of the command', async () => {
    const binDir = join(scratch, 'bin');
    await mkdir(binDir);
    await writeFile(join(binDir, COMMAND_NAME), '#!/bin/sh\necho other\n');
    const outcome = await linkCli({ binDir, target, pathVariable: binDir });
    expect(outcome).toMatchObject({ kind: 'taken', existing: 'a file' });
    expect(await readFile(join(binDir, COMMAND_NAME), 'utf8')).toBe('#!/bin/sh\necho other\n');
    expect(describeOutcome(outcome)).toContain(`node ${target}`);
  });

  it('prints the exact command when the folder cannot be written, and reports a CLI not built yet', async () => {
    const notAFolder = join(scratch, 'file');
    await writeFile(notAFolder, 'x');
    const outcome = await linkCli({ binDir: notAFolder, target, pathVariable: '' });
    expect(outcome.kind).toBe('not-writable');
    expect(describeOutcome(outcome)).toContain(`ln -s '${target}' '${join(notAFolder, COMMAND_NAME)}'`);
    expect((await linkCli({ binDir: join(scratch, 'bin'), target: join(scratch, 'missing.js') })).kind).toBe('not-built');
    expect(existsSync(join(scratch, 'bin', COMMAND_NAME))).toBe(false);
  });

  it.runIf(existsSync(builtCli))('the script links the built CLI into QODER_ORCH_BIN_DIR and the command answers --version', async () => {
    const binDir = join(scratch, 'global-bin');
    const { stdout } = await execa(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'link-cli.ts')], { env: { QODER_ORCH_BIN_DIR: binDir, PATH: process.env.PATH }, cwd: root });
    expect(stdout).toContain(`${COMMAND_NAME} is now a command`);
    expect((await lstat(join(binDir, COMMAND_NAME))).isSymbolicLink()).toBe(true);
    const version = await execa(COMMAND_NAME, ['--version'], { env: { PATH: `${binDir}:${process.env.PATH}` } });
    expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
