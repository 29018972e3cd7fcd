import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '@qoder-orch/spec';
import type { Config, ConfigOverrides } from './config-schema';
import { parseConfigText } from './parse-config-text';
import { configFromEnvironment } from './environment-overrides';
import { mergeConfigLayers } from './merge-config';

/** The file looked for in the project when no path is given. */
export const CONFIG_FILE_NAME = '.qoder-orchestrate.yaml';

export interface LoadConfigOptions {
  /** Where `.qoder-orchestrate.yaml` is looked for. */
  projectDir: string;
  /** An explicit config file; it must exist. Relative to `projectDir`. */
  configPath?: string;
  /** Environment variables read for overrides (`QODER_ORCH_*`). @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Explicit options: the highest precedence. */
  overrides?: ConfigOverrides;
}

export interface LoadedConfig {
  config: Config;
  /** The file that was read, when one was. */
  file?: string;
}

async function readConfigFile(path: string, isRequired: boolean): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !isRequired) return undefined;
    throw new ConfigError([{ path: '', message: `cannot read the file: ${(error as Error).message}` }], path, error);
  }
  const parsed = parseConfigText(text);
  if ('issues' in parsed) throw new ConfigError(parsed.issues, path, parsed.cause);
  return parsed.value;
}

/**
 * Resolves the configuration: defaults < the config file < `QODER_ORCH_*` environment
 * variables < explicit overrides. Every layer is validated; a bad layer throws a
 * {@link ConfigError} naming where it came from (the file, `environment` or `options`), the
 * key path and the expected form.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const projectDir = resolve(options.projectDir);
  const explicit = options.configPath;
  const file = explicit === undefined ? join(projectDir, CONFIG_FILE_NAME) : isAbsolute(explicit) ? explicit : resolve(projectDir, explicit);
  const fromFile = await readConfigFile(file, explicit !== undefined);
  const fromEnvironment = configFromEnvironment(options.env ?? process.env);
  const config = mergeConfigLayers([
    { layer: (fromFile ?? {}) as ConfigOverrides, source: file },
    { layer: fromEnvironment, source: 'environment' },
    { layer: options.overrides ?? {}, source: 'options' },
  ]);
  return fromFile === undefined ? { config } : { config, file };
}

/** Defaults merged with overrides, validated. Throws ConfigError (source `options`). */
export function resolveConfig(overrides: ConfigOverrides | Config = {}): Config {
  return mergeConfigLayers([{ layer: overrides, source: 'options' }]);
}
