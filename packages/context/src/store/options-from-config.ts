import { resolve } from 'node:path';
import type { ContextStoreOptions } from './context-store-options';

/** The `semantic_search` and `cache` sections of a qoder-orch config, as parsed (defaults applied). */
export interface ContextConfigSections {
  semantic_search: {
    enabled: boolean;
    model_name: string;
    similarity_threshold: number;
    model_dir?: string | undefined;
    allow_remote: boolean;
    extra_paths: string[];
  };
  cache: { enabled: boolean; max_size_mb: number; ttl_seconds: number };
}

/**
 * Maps the `semantic_search` and `cache` sections of a parsed config to store options.
 * `model_dir` is taken relative to the project when it is not absolute.
 */
export function contextStoreOptionsFromConfig(
  config: ContextConfigSections,
  projectDir: string,
  extra: Partial<ContextStoreOptions> = {},
): ContextStoreOptions {
  const search = config.semantic_search;
  const modelDir = search.model_dir === undefined ? undefined : resolve(projectDir, search.model_dir);
  return {
    projectDir,
    modelName: search.model_name,
    ...(modelDir === undefined ? {} : { modelDir }),
    allowRemoteModels: search.allow_remote,
    isSemanticSearchEnabled: search.enabled,
    similarityThreshold: search.similarity_threshold,
    extraPaths: search.extra_paths,
    cache: { isEnabled: config.cache.enabled, maxSizeMb: config.cache.max_size_mb, ttlSeconds: config.cache.ttl_seconds },
    ...extra,
  };
}
