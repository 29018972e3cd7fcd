import { ConfigError } from '@qoder-orch/spec';
import { type Config, type ConfigOverrides, ConfigSchema } from './config-schema';
import { configIssuesFrom } from './config-issues';
import { filePathOf } from './config-keys';

/** Merges section by section, later layers winning key by key, then validates the result. */
export function mergeConfigLayers(layers: ReadonlyArray<{ layer: ConfigOverrides; source: string }>): Config {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const { layer, source } of layers) {
    // Validate each layer on its own so an error names the layer it came from.
    const check = ConfigSchema.safeParse(layer);
    if (!check.success) {
      // Options are code and use the SDK's keys; a file or the environment is named in the file's keys.
      const issues = configIssuesFrom(check.error).map((issue) => (source === 'options' ? issue : { ...issue, path: filePathOf(issue.path) }));
      throw new ConfigError(issues, source === 'options' ? undefined : source, check.error);
    }
    for (const [section, values] of Object.entries(layer)) {
      if (values === undefined || values === null) continue;
      const defined = Object.fromEntries(Object.entries(values as Record<string, unknown>).filter(([, value]) => value !== undefined));
      merged[section] = { ...(merged[section] ?? {}), ...defined };
    }
  }
  return ConfigSchema.parse(merged);
}
