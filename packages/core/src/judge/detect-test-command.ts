import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const PackageJsonSchema = z.looseObject({ scripts: z.record(z.string(), z.string()).optional(), packageManager: z.string().optional() });

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
  const packageText = await readFile(join(projectDir, 'package.json'), 'utf8').catch(() => undefined);
  if (packageText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(packageText);
    } catch {
      json = undefined;
    }
    const parsed = PackageJsonSchema.safeParse(json);
    const script = parsed.success ? parsed.data.scripts?.test : undefined;
    if (script && !NPM_PLACEHOLDER.test(script)) {
      const manager = await packageManager(projectDir, parsed.success ? parsed.data.packageManager : undefined);
      return manager === 'npm' ? ['npm', 'test', '--silent'] : [manager, 'test'];
    }
  }
  const pythonMarkers = ['pytest.ini', 'pyproject.toml', 'setup.cfg', 'tox.ini', 'conftest.py'];
  const hasPythonProject = (await Promise.all(pythonMarkers.map((name) => exists(join(projectDir, name))))).some(Boolean);
  const hasPythonTests = (await exists(join(projectDir, 'tests'))) || (await exists(join(projectDir, 'test'))) || (await exists(join(projectDir, 'conftest.py')));
  if (hasPythonProject && hasPythonTests) return ['python3', '-m', 'pytest', '-q'];
  if (await exists(join(projectDir, 'Cargo.toml'))) return ['cargo', 'test'];
  if (await exists(join(projectDir, 'go.mod'))) return ['go', 'test', './...'];
  return undefined;
}
