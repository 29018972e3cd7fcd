import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { type CommandLine, splitCommandLine } from '../commands/command-line';
import { CONFIG_FILE_NAME } from '../config/load-config';
import { parseConfigText } from '../config/parse-config-text';
import type { PreflightCheck } from './preflight-report';
import { fail, pass } from './check-result';

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a command's program can be found: a path (`./scripts/setup.sh`, `bin/x`) relative to
 * the project (the worktree has the same tracked files), or a name on `PATH` (with `PATHEXT` on
 * Windows) or in the project's `node_modules/.bin`.
 */
export async function findProgram(program: string, projectDir: string): Promise<boolean> {
  if (program.includes('/') || program.includes('\\') || isAbsolute(program)) return isExecutable(resolve(projectDir, program));
  const extensions = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  const folders = [join(projectDir, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const folder of folders) for (const extension of extensions) if (await isExecutable(join(folder, `${program}${extension}`))) return true;
  return false;
}

/** The `workspace.setup` and `workspace.teardown` commands of the configuration file, when it has any. */
export async function workspaceCommandsOfFile(file: string): Promise<CommandLine[]> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const parsed = parseConfigText(text);
  if (!('value' in parsed)) return [];
  const workspace = parsed.value.workspace as { setup?: unknown; teardown?: unknown } | undefined;
  return [workspace?.setup, workspace?.teardown].flatMap((list) => (Array.isArray(list) ? (list as CommandLine[]) : []));
}

/**
 * The worktree setup and teardown commands can start: each program is found. A command that
 * cannot start would fail every task's worktree, so it fails preflight (its syntax is the
 * configuration check's).
 */
export async function checkWorkspaceCommands(projectDir: string, commands: readonly CommandLine[], configFile = join(projectDir, CONFIG_FILE_NAME)): Promise<PreflightCheck | undefined> {
  const all = commands.length > 0 ? commands : await workspaceCommandsOfFile(configFile);
  if (all.length === 0) return undefined;
  const label = 'Worktree setup commands';
  const missing: string[] = [];
  for (const command of all) {
    const argv = typeof command === 'string' ? splitCommandLine(command) : [...command];
    if ('error' in argv || argv[0] === undefined) continue;
    if (!(await findProgram(argv[0], projectDir))) missing.push(argv[0]);
  }
  if (missing.length > 0) {
    return fail(
      'workspace.commands',
      label,
      `Not found: ${[...new Set(missing)].join(', ')} (named in workspace.setup / workspace.teardown).`,
      'Install the program, name it by a path relative to the project, or remove the command from `workspace.setup` / `workspace.teardown`.',
    );
  }
  return pass('workspace.commands', label, `${all.length} command(s); every program is found.`);
}
