import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { readPackageManifest } from '../project/package-manifest';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** npm's placeholder for "no tests". */
const NPM_PLACEHOLDER = /no test specified/i;

async function packageManager(projectDir: string, declared: string | undefined): Promise<string> {
  const named = declared?.split('@')[0];
  if (named && ['npm', 'pnpm', 'yarn', 'bun'].includes(named)) return named;
  if (await exists(join(projectDir, 'pnpm-lock.yaml'))) return 'pnpm';
  if (await exists(join(projectDir, 'yarn.lock'))) return 'yarn';
  if ((await exists(join(projectDir, 'bun.lockb'))) || (await exists(join(projectDir, 'bun.lock')))) return 'bun';
  return 'npm';
}

/**
 * The project's own test command as an argument vector, for `collectProjectChecks`: the
 * `test` script of package.json (run with the project's package manager), else pytest for a
 * Python project that has tests, `cargo test`, or `go test ./...`. Undefined when there is none.
 */
export async function detectTestCommand(projectDir: string): Promise<string[] | undefined> {
  const packageJson = readPackageManifest(projectDir);
  const script = packageJson?.scripts?.test;
  if (script && !NPM_PLACEHOLDER.test(script)) {
    const manager = await packageManager(projectDir, packageJson?.packageManager);
    return manager === 'npm' ? ['npm', 'test', '--silent'] : [manager, 'test'];
  }
  const pythonMarkers = ['pytest.ini', 'pyproject.toml', 'setup.cfg', 'tox.ini', 'conftest.py'];
  const hasPythonProject = (await Promise.all(pythonMarkers.map((name) => exists(join(projectDir, name))))).some(Boolean);
  const hasPythonTests = (await exists(join(projectDir, 'tests'))) || (await exists(join(projectDir, 'test'))) || (await exists(join(projectDir, 'conftest.py')));
  if (hasPythonProject && hasPythonTests) return ['python3', '-m', 'pytest', '-q'];
  if (await exists(join(projectDir, 'Cargo.toml'))) return ['cargo', 'test'];
  if (await exists(join(projectDir, 'go.mod'))) return ['go', 'test', './...'];
  return undefined;
}

/**
 * The project's test command as it is when a run starts, pinned for the whole run: an agent
 * may rewrite `package.json` (`"test": "node --test || true"`), and the check that judges it
 * must not change with it. A package script is captured as its text (with its `pre`/`post`
 * scripts) and run through the shell the package managers use, with the project's
 * `node_modules/.bin` folders on PATH, exactly as it read at the start.
 */
export const PinnedTestCommandSchema = z.object({
  /** The argument vector that runs. */
  command: z.array(z.string()).min(1),
  /** `config`: the user's `execution.test_command`; `package-script`: a captured package.json script; `detected`: pytest, cargo, go. */
  source: z.enum(['config', 'package-script', 'detected']),
  /** The package script's text when it was captured. */
  script: z.string().optional(),
  /** Folders put in front of PATH for it (the project's `node_modules/.bin`, nearest first). */
  prependPath: z.array(z.string()).optional(),
});
export type PinnedTestCommand = z.infer<typeof PinnedTestCommandSchema>;

function binFolders(projectDir: string): string[] {
  const folders: string[] = [];
  let current = resolve(projectDir);
  for (;;) {
    folders.push(join(current, 'node_modules', '.bin'));
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return folders;
}

/** The script a package-manager command runs (`npm test`, `pnpm run check`, `yarn test --silent`), when it is only that. */
export function packageScriptOf(command: readonly string[]): string | undefined {
  const [manager, ...rest] = command;
  if (!manager || !['npm', 'pnpm', 'yarn', 'bun'].includes(manager)) return undefined;
  const args = rest.filter((arg) => arg !== '--silent' && arg !== '-s');
  if (args.length === 1 && (args[0] === 'test' || args[0] === 't')) return 'test';
  if (args.length === 2 && (args[0] === 'run' || args[0] === 'run-script')) return args[1];
  // `yarn check` style: a bare script name (yarn and pnpm run scripts without `run`).
  if (args.length === 1 && (manager === 'yarn' || manager === 'pnpm') && !args[0]!.startsWith('-')) return args[0];
  return undefined;
}

export async function pinTestCommand(projectDir: string, configured?: readonly string[]): Promise<PinnedTestCommand | undefined> {
  const scripts = readPackageManifest(projectDir)?.scripts ?? {};
  const pinScript = (name: string): PinnedTestCommand | undefined => {
    const body = scripts[name];
    if (!body || (name === 'test' && NPM_PLACEHOLDER.test(body))) return undefined;
    const script = [scripts[`pre${name}`], body, scripts[`post${name}`]].filter((part): part is string => typeof part === 'string' && part.trim() !== '').join(' && ');
    const shell = process.platform === 'win32' ? ['cmd.exe', '/d', '/s', '/c'] : ['sh', '-c'];
    return { command: [...shell, script], source: 'package-script', script, prependPath: binFolders(projectDir) };
  };
  if (configured && configured.length > 0) {
    // A configured `npm test` runs whatever package.json says when it runs: pin that script too.
    const name = packageScriptOf(configured);
    return (name === undefined ? undefined : pinScript(name)) ?? { command: [...configured], source: 'config' };
  }
  const pinned = pinScript('test');
  if (pinned) return pinned;
  const detected = await detectTestCommand(projectDir);
  return detected ? { command: detected, source: 'detected' } : undefined;
}
