import type { ConfigIssue } from '@qoder-orch/spec';

/**
 * The one place where the file's snake_case keys meet the SDK's camelCase ones. The file is
 * written as in the seed (`execution.max_parallel`); everything past the loader reads
 * `execution.maxParallel`. Values are never touched (an `allow` pattern or a test command
 * stays as written).
 */
export const fileKeyToConfigKey = (key: string): string => key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

export const configKeyToFileKey = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A dotted config path (`execution.maxParallel`) as the file writes it (`execution.max_parallel`). */
export const filePathOf = (path: string): string => path.split('.').map(configKeyToFileKey).join('.');

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The file's settings with SDK keys. A camelCase key in the file is not silently accepted: it
 * comes back as an issue naming the key the file should use.
 */
export function configFromFileKeys(value: Record<string, unknown>): { value: Record<string, unknown>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: string[]): unknown => {
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      if (/[A-Z]/.test(key)) {
        issues.push({ path: [...path, key].join('.'), message: `unknown key "${key}"`, expected: `snake_case keys in the file ("${configKeyToFileKey(key)}")` });
        continue;
      }
      out[fileKeyToConfigKey(key)] = walk(child, [...path, key]);
    }
    return out;
  };
  return { value: walk(value, []) as Record<string, unknown>, issues };
}
