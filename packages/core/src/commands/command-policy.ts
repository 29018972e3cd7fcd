import { isAbsolute, relative, resolve } from 'node:path';
import { matchesAllowPattern } from './allow-pattern';
import type { ProjectCommands } from './project-commands';

/**
 * What may run of the commands a plan proposes. `refuse`: only allowed commands run;
 * `ask`: commands that are neither allowed nor refused outright are put to the user (the
 * SDK's `approveCommands`, the CLI's prompt on a terminal), refused when no one can answer;
 * `allow-all`: everything runs, as before the policy existed.
 */
export type CommandPolicyMode = 'refuse' | 'ask' | 'allow-all';

export interface CommandPolicy {
  /** @default 'ask' */
  mode: CommandPolicyMode;
  /** Command lines the user allows besides the defaults (see {@link matchesAllowPattern}). */
  allow: readonly string[];
}

/** `allowed`: runs; `needs-approval`: runs only when someone approves; `refused`: never runs. */
export type CommandClassification = 'allowed' | 'needs-approval' | 'refused';

export interface CommandVerdict {
  classification: CommandClassification;
  reason: string;
}

export interface ClassifyCommandInput {
  argv: readonly string[];
  /** The command's working directory relative to the project root; undefined: the root. */
  cwd?: string;
  projectDir: string;
  project: ProjectCommands;
  policy: CommandPolicy;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'fish', 'ksh', 'mksh', 'csh', 'tcsh', 'ash', 'busybox', 'cmd', 'powershell', 'pwsh', 'nu', 'xonsh', 'elvish']);
/** Shells named as an argument (fewer names than above: a test filter may well be called "fish"). */
const SHELL_ARGUMENTS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'csh', 'tcsh', 'cmd', 'powershell', 'pwsh']);
const NETWORK_TOOLS = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'ssh', 'scp', 'sftp', 'rsync', 'ftp', 'tftp', 'telnet', 'socat', 'aria2c', 'httpie', 'http', 'https', 'xh', 'gh']);
const ESCALATION = new Set(['sudo', 'doas', 'su', 'pkexec', 'runas', 'chroot']);
/** Tools that run whatever command they are given: as trusted as a shell. */
const COMMAND_RUNNERS = new Set(['xargs', 'eval', 'exec', 'watch', 'parallel', 'script', 'expect', 'find', 'nohup', 'setsid', 'strace', 'ltrace', 'gdb']);
/** Interpreters and the flags that make them run code given on the command line. */
const INLINE_CODE_FLAGS: Record<string, readonly string[]> = {
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  bun: ['-e', '--eval', '-p', '--print'],
  python: ['-c'],
  python3: ['-c'],
  python2: ['-c'],
  pypy: ['-c'],
  pypy3: ['-c'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  lua: ['-e'],
  Rscript: ['-e'],
  osascript: ['-e'],
};
/** Flags of a JavaScript runtime that load code from elsewhere (a data: URL, a preload). */
const NODE_LOADER_FLAGS = ['-r', '--require', '--import', '--loader', '--experimental-loader', '--inspect', '--inspect-brk'];
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const PACKAGE_MANAGER_FLAGS = new Set(['-s', '--silent', '-r', '--recursive', '-w', '--workspace-root', '-q', '--quiet', '--if-present']);
/** Package-manager commands that fetch and run, or change the installed dependencies. */
const DOWNLOADING_SUBCOMMANDS = new Set(['dlx', 'exec', 'x', 'create', 'init', 'install', 'i', 'ci', 'add', 'update', 'up', 'upgrade', 'remove', 'rm', 'uninstall', 'link', 'publish', 'pack', 'login', 'config', 'set', 'global']);
/** Test runners, type checkers, linters and build tools run directly: `<tool> [args]`. */
const DIRECT_TOOLS = new Set([
  'vitest',
  'jest',
  'mocha',
  'ava',
  'tap',
  'jasmine',
  'karma',
  'playwright',
  'cypress',
  'uvu',
  'tsc',
  'vue-tsc',
  'eslint',
  'prettier',
  'biome',
  'oxlint',
  'stylelint',
  'tsd',
  'pytest',
  'py.test',
  'tox',
  'nox',
  'mypy',
  'pyright',
  'ruff',
  'flake8',
  'pylint',
  'black',
  'isort',
  'rspec',
  'phpunit',
  'ctest',
]);
/** Tools that are only allowed with one of these first arguments. */
const TOOL_SUBCOMMANDS: Record<string, readonly string[]> = {
  go: ['test', 'vet', 'build'],
  cargo: ['test', 'check', 'build', 'clippy', 'fmt', 'nextest'],
  git: ['diff', 'status', 'log', 'show'],
  swift: ['test', 'build'],
  dotnet: ['test', 'build'],
  mvn: ['test', 'verify', 'compile', 'package', '-q', '-B'],
  gradle: ['test', 'check', 'build'],
  bun: ['test'],
  deno: ['test', 'check', 'lint', 'fmt'],
};
const PYTHON_MODULES = new Set(['pytest', 'unittest', 'mypy', 'ruff', 'flake8', 'pylint', 'black', 'isort', 'compileall', 'py_compile', 'doctest', 'tox', 'nox']);

function toolName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(exe|cmd|bat)$/i, '');
}

/** An argument that names a remote resource or carries code in a URL. */
function namesUrl(argument: string): boolean {
  return /(^|=)([a-z][a-z0-9+.-]*:\/\/|data:|javascript:)/i.test(argument) || /^[\w.-]+@[\w.-]+:/.test(argument);
}

function isOutside(projectDir: string, cwd: string, path: string): boolean {
  if (path.startsWith('~')) return true;
  const target = resolve(projectDir, cwd, path);
  const inside = relative(resolve(projectDir), target);
  return inside === '..' || inside.startsWith('..' + '/') || inside.startsWith('..\\') || isAbsolute(inside);
}

/** An argument (or a `--flag=value`'s value) that is a path leaving the project. */
function leavingPath(argument: string, projectDir: string, cwd: string): boolean {
  const value = argument.startsWith('-') && argument.includes('=') ? argument.slice(argument.indexOf('=') + 1) : argument;
  if (!(isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('~') || value.startsWith('..'))) return false;
  return isOutside(projectDir, cwd, value);
}

const refused = (reason: string): CommandVerdict => ({ classification: 'refused', reason });
const allowed = (reason: string): CommandVerdict => ({ classification: 'allowed', reason });
const needsApproval = (reason: string): CommandVerdict => ({ classification: 'needs-approval', reason });

/** The options given to an interpreter itself: up to its script, `-m module` or `--`. */
function interpreterOptions(argv: readonly string[]): string[] {
  const options: string[] = [];
  for (const argument of argv.slice(1)) {
    if (argument === '--' || argument === '-m' || !argument.startsWith('-')) break;
    options.push(argument);
  }
  return options;
}

/** Removes `env VAR=value …` and `timeout 60 …` wrappers: what counts is the command they start. */
function unwrap(argv: readonly string[]): readonly string[] | CommandVerdict {
  let rest = argv;
  for (let guard = 0; guard < 4; guard += 1) {
    const name = toolName(rest[0] ?? '');
    if (name === 'env') {
      let index = 1;
      while (index < rest.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[index]!) || rest[index] === '-i' || rest[index] === '--ignore-environment')) index += 1;
      if (rest[index]?.startsWith('-')) return refused('`env` with options that change how the command is found or split');
      rest = rest.slice(index);
    } else if (name === 'timeout') {
      let index = 1;
      while (index < rest.length && rest[index]!.startsWith('-')) index += 1;
      rest = rest.slice(index + 1);
    } else break;
    if (rest.length === 0) return refused('a wrapper with no command');
  }
  return rest;
}

/** Hard refusals: what a check never needs and an attacker always does. */
function refusal(argv: readonly string[], input: ClassifyCommandInput): CommandVerdict | undefined {
  const name = toolName(argv[0]!);
  const cwd = input.cwd ?? '.';
  if (SHELLS.has(name)) return refused(`\`${name}\` is a shell: it runs any command it is given`);
  if (NETWORK_TOOLS.has(name)) return refused(`\`${name}\` reaches the network`);
  if (ESCALATION.has(name)) return refused(`\`${name}\` changes the user the command runs as`);
  if (COMMAND_RUNNERS.has(name)) return refused(`\`${name}\` runs other commands`);
  // Only the interpreter's own options count: what follows the script (or `-m module`) is the script's.
  const options = interpreterOptions(argv);
  const inlineFlags = INLINE_CODE_FLAGS[name];
  if (
    inlineFlags &&
    options.some((argument) => inlineFlags.some((flag) => argument === flag || (flag.startsWith('--') && argument.startsWith(`${flag}=`)) || (/^-[A-Za-z]$/.test(flag) && /^-[A-Za-z]+$/.test(argument) && argument.includes(flag[1]!))))
  ) {
    return refused(`\`${name}\` with inline code (${inlineFlags.join(', ')})`);
  }
  if (name === 'deno' && argv[1] === 'eval') return refused('`deno eval` runs inline code');
  if ((name === 'node' || name === 'nodejs' || name === 'bun' || name === 'deno') && options.some((argument) => NODE_LOADER_FLAGS.some((flag) => argument === flag || argument.startsWith(`${flag}=`)))) {
    return refused(`\`${name}\` with a preload or inspector flag`);
  }
  if (name === 'npx' || name === 'pnpx' || name === 'bunx') {
    const tool = argv.slice(1).find((argument) => !argument.startsWith('-'));
    if (tool === undefined || !input.project.localBins.includes(tool)) return refused(`\`${name}\` downloads and runs a package that is not installed in the project`);
  }
  if (name === 'git' && (argv.slice(1).some((argument) => argument === '-c' || argument.startsWith('--exec-path') || argument.startsWith('--config-env')) || !TOOL_SUBCOMMANDS.git!.includes(argv[1] ?? ''))) {
    return refused('`git` other than diff, status, log or show (it may reach a remote, change history or run configured commands)');
  }
  if (PACKAGE_MANAGERS.has(name)) {
    const subcommand = argv.slice(1).find((argument) => !argument.startsWith('-'));
    if (subcommand !== undefined && DOWNLOADING_SUBCOMMANDS.has(subcommand)) return refused(`\`${name} ${subcommand}\` downloads, installs or publishes packages`);
  }
  if (name === 'make' && argv.some((argument) => argument.startsWith('--eval') || argument === '-E')) return refused('`make --eval` runs text given on the command line');
  if (argv[0]!.includes('/') || argv[0]!.includes('\\')) {
    if (leavingPath(argv[0]!, input.projectDir, cwd) || isAbsolute(argv[0]!)) return refused(`\`${argv[0]}\` is a program outside the project`);
  }
  for (const argument of argv.slice(1)) {
    if (namesUrl(argument)) return refused(`the argument "${argument}" names a URL`);
    if (leavingPath(argument, input.projectDir, cwd)) return refused(`the argument "${argument}" is a path outside the project`);
    // A runner handed a shell (`--shell=/bin/sh`, `SHELL=bash`) runs what the plan wrote through it.
    if (SHELL_ARGUMENTS.has(toolName(argument))) return refused(`the argument "${argument}" names a shell`);
  }
  return undefined;
}

function projectScript(argv: readonly string[], input: ClassifyCommandInput): CommandVerdict | undefined {
  const name = toolName(argv[0]!);
  const isRoot = input.cwd === undefined || input.cwd === '.' || input.cwd === '';
  if (PACKAGE_MANAGERS.has(name)) {
    let index = 1;
    while (index < argv.length && PACKAGE_MANAGER_FLAGS.has(argv[index]!)) index += 1;
    const subcommand = argv[index];
    if (subcommand === undefined) return undefined;
    let scriptIndex = index + 1;
    while (scriptIndex < argv.length && PACKAGE_MANAGER_FLAGS.has(argv[scriptIndex]!)) scriptIndex += 1;
    const script = subcommand === 'run' || subcommand === 'run-script' ? argv[scriptIndex] : subcommand === 't' || subcommand === 'tst' ? 'test' : subcommand;
    if (script === undefined) return undefined;
    if (input.project.scripts.includes(script)) {
      return isRoot ? allowed(`the project's own "${script}" script`) : needsApproval(`a package script run outside the project root (${input.cwd})`);
    }
    // `pnpm vitest`, `yarn jest`, `bun test`: an installed tool, never fetched.
    if (name !== 'npm' && subcommand !== 'run' && (DIRECT_TOOLS.has(script) || (name === 'bun' && script === 'test')) && (name === 'bun' || input.project.localBins.includes(script))) {
      return allowed(`the project's installed ${script}`);
    }
    return undefined;
  }
  if (name === 'make') {
    if (!isRoot) return needsApproval(`a Makefile target run outside the project root (${input.cwd})`);
    if (!input.project.hasMakefile) return undefined;
    if (argv.some((argument) => argument === '-f' || argument === '--file' || argument === '-C' || argument === '--directory' || argument.startsWith('--file=') || argument.startsWith('--directory='))) return undefined;
    const targets = argv.slice(1).filter((argument) => !argument.startsWith('-') && !argument.includes('=') && !/^\d+$/.test(argument));
    if (targets.every((target) => input.project.makeTargets.includes(target))) return allowed(targets.length > 0 ? `the project's own make target(s) ${targets.join(', ')}` : "the project's default make target");
  }
  return undefined;
}

function knownTool(argv: readonly string[], input: ClassifyCommandInput): CommandVerdict | undefined {
  const name = toolName(argv[0]!);
  if (name === 'npx' || name === 'pnpx' || name === 'bunx') {
    const rest = argv.slice(1).filter((argument) => argument !== '--no-install' && argument !== '--no' && argument !== '--offline');
    const tool = rest[0];
    if (tool !== undefined && DIRECT_TOOLS.has(tool) && input.project.localBins.includes(tool)) return allowed(`the project's installed ${tool}`);
    return undefined;
  }
  if ((name === 'node' || name === 'nodejs') && argv[1] === '--test') return allowed("node's test runner");
  // A syntax check parses the files and runs none of them.
  if ((name === 'node' || name === 'nodejs') && (argv[1] === '--check' || argv[1] === '-c') && argv.length > 2) return allowed("node's syntax check");
  if (/^python(\d(\.\d+)?)?$/.test(name) || name === 'py') {
    if (argv[1] === '-m' && PYTHON_MODULES.has(argv[2] ?? '')) return allowed(`python -m ${argv[2]}`);
    return undefined;
  }
  const subcommands = TOOL_SUBCOMMANDS[name];
  if (subcommands) return subcommands.includes(argv[1] ?? '') ? allowed(`${name} ${argv[1]}`) : undefined;
  if (DIRECT_TOOLS.has(name)) return allowed(`${name}, a known test runner or build tool`);
  return undefined;
}

/**
 * Classifies one command a plan proposes. Order: `allow-all` mode; the user's allow
 * patterns; hard refusals (shells, network tools, inline code, downloads, paths and URLs
 * outside the project); the project's own scripts and make targets as they were when the run
 * started; known test runners and build tools; everything else needs approval.
 */
export function classifyCommand(input: ClassifyCommandInput): CommandVerdict {
  const { argv, policy } = input;
  if (argv.length === 0 || argv[0] === '') return refused('an empty command');
  if (policy.mode === 'allow-all') return allowed('the command policy allows every command (allow-all)');
  const pattern = policy.allow.find((candidate) => matchesAllowPattern(argv, candidate));
  if (pattern !== undefined) return allowed(`allowed by your command policy ("${pattern}")`);
  const inner = unwrap(argv);
  if (!Array.isArray(inner)) return inner as CommandVerdict;
  const command = inner as readonly string[];
  return (
    refusal(command, input) ??
    projectScript(command, input) ??
    knownTool(command, input) ??
    (command[0]!.includes('/') ? needsApproval('runs a file of the repository directly') : needsApproval(`\`${toolName(command[0]!)}\` is neither a project script nor a known test runner`))
  );
}
