import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors/config-error';
import { configIssuesFrom } from './config-issues';
import { type Config, type ConfigOverrides, ConfigSchema } from './config-schema';
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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = lineCounter.linePos(syntaxError.pos[0]);
    throw new ConfigError(
      [{ path: '', message: `YAML syntax error at line ${position.line}, column ${position.col}: ${syntaxError.message.split('\n')[0]}` }],
      path,
      syntaxError,
    );
  }
  if (document.contents === null) return {};
  if (!isMap(document.contents)) {
    throw new ConfigError([{ path: '', message: 'the file must be a mapping of sections', expected: 'keys such as execution:, llm:, retry:' }], path);
  }
  const value = document.toJS() as Record<string, unknown>;
  const parsed = ConfigSchema.safeParse(value);
  if (!parsed.success) {
    const lineOf = (pathParts: readonly PropertyKey[]) => {
      const node = document.getIn(pathParts as unknown[], true) as { range?: [number, number, number] } | undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    };
    throw new ConfigError(configIssuesFrom(parsed.error, lineOf), path, parsed.error);
  }
  return value;
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
