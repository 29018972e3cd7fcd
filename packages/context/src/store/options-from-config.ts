import { resolve } from 'node:path';
import type { ContextStoreOptions } from './context-store-options';

/** The `semanticSearch` and `cache` sections of a qoder-orch config, as loaded (defaults applied). */
export interface ContextConfigSections {
  semanticSearch: {
    enabled: boolean;
    modelName: string;
    similarityThreshold: number;
    modelDir?: string | undefined;
    allowRemote: boolean;
    extraPaths: string[];
  };
  cache: { enabled: boolean; maxSizeMb: number; ttlSeconds: number };
}

/**
 * Maps the `semanticSearch` and `cache` sections of a parsed config to store options.
 * `modelDir` is taken relative to the project when it is not absolute.
 */
export function contextStoreOptionsFromConfig(config: ContextConfigSections, projectDir: string, extra: Partial<ContextStoreOptions> = {}): ContextStoreOptions {
  const search = config.semanticSearch;
  const modelDir = search.modelDir === undefined ? undefined : resolve(projectDir, search.modelDir);
  return {
    projectDir,
    modelName: search.modelName,
    ...(modelDir === undefined ? {} : { modelDir }),
    allowRemoteModels: search.allowRemote,
    isSemanticSearchEnabled: search.enabled,
    similarityThreshold: search.similarityThreshold,
    extraPaths: search.extraPaths,
    cache: { isEnabled: config.cache.enabled, maxSizeMb: config.cache.maxSizeMb, ttlSeconds: config.cache.ttlSeconds },
    ...extra,
  };
}
