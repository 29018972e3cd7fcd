import picomatch from 'picomatch';
import { DEFAULT_ROUTE_EXTRACTORS } from './extractors/default-extractors';
import { OPENAPI_CANDIDATES } from './openapi-contract';
import { DEFAULT_EXCLUDE } from './project-files';
import type { RouteExtractor } from './route-extractor';

export interface ContractRelevanceOptions {
  /** @default DEFAULT_ROUTE_EXTRACTORS */
  extractors?: readonly RouteExtractor[];
  /** The configured OpenAPI document, relative to the project. */
  contractPath?: string;
  /** @default DEFAULT_CONTRACT_EXCLUDE */
  exclude?: readonly string[];
}

/**
 * Whether changed files (relative to the project) may change the API contract check: the
 * contract itself, or a file some extractor reads (backend or frontend code). The
 * orchestrator verifies the contract after such tasks, and always at the end.
 */
export function touchesApiSurface(filesChanged: readonly string[], options: ContractRelevanceOptions = {}): boolean {
  const extractors = options.extractors ?? DEFAULT_ROUTE_EXTRACTORS;
  const isExcluded = picomatch([...(options.exclude ?? DEFAULT_EXCLUDE)], { dot: true });
  const contractFiles = new Set([...OPENAPI_CANDIDATES, ...(options.contractPath === undefined ? [] : [options.contractPath.replace(/^\.\//, '')])]);
  return filesChanged.some((raw) => {
    const file = raw.replace(/\\/g, '/').replace(/^\.\//, '');
    if (contractFiles.has(file)) return true;
    if (isExcluded(file) || file.split('/').some((segment) => segment === 'node_modules' || segment.startsWith('.'))) return false;
    return extractors.some((extractor) => extractor.matches(file));
  });
}
