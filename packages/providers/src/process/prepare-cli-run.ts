import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError, secretValuesFrom } from '@qoder-orch/spec';
import { buildChildEnvironment } from './child-environment';
import { resolveExecutable } from './resolve-executable';

/** What every CLI run needs before its process starts. */
export interface PreparedCliRun {
  /** The resolved executable (a path, or a name found on `PATH`). */
  executable: string;
  /** The child's whole environment. */
  env: Record<string, string>;
  /** Values to redact from everything the run reports. */
  secrets: string[];
  /** Removes what the preparation created (a temporary config folder); safe to call once. */
  cleanup: () => Promise<void>;
}

export interface RequireExecutableInput {
  providerId: string;
  /** The `executable` setting, when given. */
  configured: string | undefined;
  /** Names looked up when nothing is configured, in order. */
  names: readonly string[];
  cwd: string | undefined;
  /** How the missing program is named in the error, e.g. "the \`claude\` executable". */
  description: string;
  installHint: string;
}

/** The executable of a CLI, or a `NOT_INSTALLED` provider error naming it. */
export function requireExecutable(input: RequireExecutableInput): string {
  const executable = resolveExecutable(input.configured, input.names, input.cwd);
  if (!executable) {
    throw new ProviderError({ providerId: input.providerId, code: 'NOT_INSTALLED', message: `${input.providerId}: ${input.description} was not found in node_modules/.bin or on PATH`, fix: input.installHint });
  }
  return executable;
}

/** A folder for one run: `path` is undefined when none is used; `cleanup` removes a temporary one. */
export interface RunFolder {
  path: string | undefined;
  cleanup: () => Promise<void>;
}

const KEEP = async () => {};

/**
 * The config folder of a run: the configured one; else, with `isolate`, a new temporary folder
 * (named `<prefix>…` in the system temp folder, prepared by `setUp`, removed by `cleanup`); else none.
 */
export async function runConfigFolder(input: { configured: string | undefined; isolate: boolean | undefined; prefix: string; setUp?: ((path: string) => Promise<void>) | undefined }): Promise<RunFolder> {
  if (input.configured || !input.isolate) return { path: input.configured, cleanup: KEEP };
  const path = await mkdtemp(join(tmpdir(), input.prefix));
  const cleanup = () => rm(path, { recursive: true, force: true });
  try {
    await input.setUp?.(path);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { path, cleanup };
}

export interface CliEnvironmentInput {
  /** Prefixes of the CLI's own variables passed through from the parent. */
  providerPrefixes: readonly string[];
  /** The provider's `env` setting. */
  settingsEnv: Readonly<Record<string, string>> | undefined;
  /** The call's `env` option. */
  optionsEnv: Readonly<Record<string, string>> | undefined;
  /** Variables the provider sets itself; they win over everything. */
  fixed?: Readonly<Record<string, string>> | undefined;
  /**
   * Variables passed as settings but not redacted as extra environment (e.g. an API key taken
   * from the parent, which is redacted by its name's shape anyway). @default {}
   */
  passedFromParent?: Readonly<Record<string, string>> | undefined;
  /** More values to redact besides the extra environment (e.g. a token read from `.env.local`). @default {} */
  moreSecrets?: Readonly<Record<string, string>> | undefined;
}

/**
 * The child environment of a CLI run (built from `process.env`) and the secrets to redact: the
 * values of the extra environment given in settings and options, and of secret-looking variables.
 */
export function cliEnvironment(input: CliEnvironmentInput): { env: Record<string, string>; secrets: string[] } {
  const env = buildChildEnvironment({
    parent: process.env,
    providerPrefixes: input.providerPrefixes,
    settingsEnv: input.passedFromParent ? { ...input.passedFromParent, ...input.settingsEnv } : input.settingsEnv,
    optionsEnv: input.optionsEnv,
    fixed: input.fixed ?? {},
  });
  return { env, secrets: secretValuesFrom(env, { ...input.settingsEnv, ...input.optionsEnv, ...input.moreSecrets }) };
}

/** Prepares a run, uses it, and cleans it up afterwards, whether `use` succeeds or throws. */
export async function withCliRun<Run extends PreparedCliRun, Result>(prepare: Promise<Run>, use: (run: Run) => Promise<Result>): Promise<Result> {
  const run = await prepare;
  try {
    return await use(run);
  } finally {
    await run.cleanup();
  }
}
