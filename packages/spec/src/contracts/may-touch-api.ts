import type { ContractVerifier } from './contract-report';

/** Source files some contract extractor could read: the engine's guess for a verifier that does not say. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|vue|svelte|py)$/i;
const OPENAPI_FILE = /(?:^|\/)(?:openapi|swagger)\.(?:ya?ml|json)$/i;

/**
 * Whether changed files (relative to the project) may change what `verifier` reports: its own
 * `touchesApiSurface` when it has one, else any source file or OpenAPI document outside hidden
 * folders and `node_modules`.
 */
export function mayTouchApiSurface(verifier: ContractVerifier, filesChanged: readonly string[]): boolean {
  if (verifier.touchesApiSurface) return verifier.touchesApiSurface(filesChanged);
  return filesChanged.some((raw) => {
    const file = raw.replace(/\\/g, '/').replace(/^\.\//, '');
    if (file.split('/').some((segment) => segment === 'node_modules' || segment.startsWith('.'))) return false;
    return SOURCE_FILE.test(file) || OPENAPI_FILE.test(file);
  });
}
