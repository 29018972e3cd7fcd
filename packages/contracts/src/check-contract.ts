import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { endpointOfEntry, type IntegrationRegistry } from './registry/integration-registry';
import { compareEndpoints } from './compare-endpoints';
import type { ContractFinding, ContractReport, Endpoint } from '@qoder-orch/spec';
import { DEFAULT_ROUTE_EXTRACTORS } from './extractors/default-extractors';
import { OPENAPI_CANDIDATES, readOpenApiContract } from './openapi-contract';
import { DEFAULT_EXCLUDE, listProjectFiles } from './project-files';
import { collectModuleConstants } from './module-constants';
import { moduleCandidates, resolveEndpoints, type FileExtraction } from './resolve-routes';
import { parseRouteExtraction } from './route-extraction-schema';
import type { RouteExtractor } from './route-extractor';
import { normaliseRoutePath } from './route-path';

export interface ContractVerifierOptions {
  /**
   * The OpenAPI 3 (or Swagger 2) document, YAML or JSON, relative to the project. It must exist
   * when given. @default the first that exists of `openapi.{yaml,yml,json}` and `swagger.*`, at
   * the root or in `api/`, `docs/`, `spec/`, `specs/`, `openapi/`
   */
  contractPath?: string;
  /** How routes and calls are found; add your own for another framework. @default DEFAULT_ROUTE_EXTRACTORS */
  extractors?: readonly RouteExtractor[];
  /** When there is no OpenAPI document, the endpoints recorded here (kind `endpoint`) are the contract. */
  registry?: IntegrationRegistry;
  /** Globs of files to read, relative to the project. @default every file */
  include?: readonly string[];
  /** Globs of files to skip. @default DEFAULT_CONTRACT_EXCLUDE (tests, mocks, fixtures) */
  exclude?: readonly string[];
  /** Files read at most. @default 5000 */
  maxFiles?: number;
  /**
   * Hosts of absolute URLs that are this project's API (`api.example.com`, or with a port),
   * besides local ones (`localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`, `*.localhost`, `*.local`).
   * Frontend calls to other hosts are third-party services: left out and counted in `notes`.
   * Relative URLs, and URLs whose base is unknown (an environment variable), are always checked.
   * @default []
   */
  apiHosts?: readonly string[];
}

const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|[^:]*\.localhost|[^:]*\.local)(?::\d+)?$/;

function isOwnHost(host: string, apiHosts: readonly string[]): boolean {
  if (LOCAL_HOST.test(host)) return true;
  const bare = host.replace(/:\d+$/, '');
  return apiHosts.some((candidate) => {
    const normalised = candidate
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .replace(/\/.*$/, '');
    return normalised === host || normalised === bare;
  });
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The command that runs this verifier's check in a project directory: the built
 * `contract-check.js` beside this module, or from sources the `.ts` script under tsx. None
 * with custom extractors (a command cannot carry them) or when neither can be found.
 */
export function contractCheckCommand(options: ContractVerifierOptions): string[] | undefined {
  if (options.extractors !== undefined) return undefined;
  const settings = JSON.stringify({
    ...(options.contractPath === undefined ? {} : { contractPath: options.contractPath }),
    ...(options.include === undefined ? {} : { include: options.include }),
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(options.maxFiles === undefined ? {} : { maxFiles: options.maxFiles }),
    ...(options.apiHosts === undefined ? {} : { apiHosts: options.apiHosts }),
    ...(options.registry === undefined ? {} : { useRegistry: true }),
  });
  try {
    const built = fileURLToPath(new URL('./contract-check.js', import.meta.url));
    if (existsSync(built)) return [process.execPath, built, settings];
    const source = fileURLToPath(new URL('./contract-check-main.ts', import.meta.url));
    if (!existsSync(source)) return undefined;
    const require = createRequire(import.meta.url);
    // From sources, @qoder-orch/spec resolves to its sources through the repository's tsconfig
    // paths (its package entry is the build, which may not exist); tsx reads them when told.
    const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
    if (existsSync(tsconfig)) return [process.execPath, require.resolve('tsx/cli'), '--tsconfig', tsconfig, source, settings];
    return [process.execPath, '--import', pathToFileURL(require.resolve('tsx')).href, source, settings];
  } catch {
    return undefined;
  }
}

const byLocation = (a: Endpoint, b: Endpoint) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || a.method.localeCompare(b.method) || a.path.localeCompare(b.path);

/** One contract check, as {@link ContractVerifier.verify} runs it (see the class for what it checks). */
export async function checkContract(options: ContractVerifierOptions, rawProjectDir: string, abortSignal: AbortSignal | undefined, checkCommandOf: () => string[] | undefined): Promise<ContractReport> {
  const extractors = options.extractors ?? DEFAULT_ROUTE_EXTRACTORS;
  const projectDir = resolve(rawProjectDir);
  const checkAbort = () => {
    if (abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'Contract verification was aborted.' });
  };
  checkAbort();
  const notes: string[] = [];

  // The contract.
  let contractFile: string | undefined;
  if (options.contractPath !== undefined) {
    const absolute = resolve(projectDir, options.contractPath);
    const inside = relative(projectDir, absolute);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new OrchestratorError({
        code: 'PATH_OUTSIDE_PROJECT',
        message: `The API contract ${options.contractPath} is outside the project ${projectDir}.`,
        fix: 'Keep the OpenAPI document inside the project and give contractPath relative to it.',
      });
    }
    if (!(await exists(absolute))) {
      throw new OrchestratorError({
        code: 'CONFIG_INVALID',
        message: `The API contract ${options.contractPath} does not exist in ${projectDir}.`,
        fix: 'Give contractPath relative to the project, or leave it out to detect openapi.yaml and friends.',
      });
    }
    contractFile = inside.split(sep).join('/');
  } else {
    for (const candidate of OPENAPI_CANDIDATES) {
      if (await exists(join(projectDir, candidate))) {
        contractFile = candidate;
        break;
      }
    }
  }
  let contract: Endpoint[] = [];
  let contractSource: string | undefined;
  const contractFindings: ContractFinding[] = [];
  if (contractFile !== undefined) {
    const read = await readOpenApiContract(projectDir, contractFile);
    contract = read.endpoints;
    contractFindings.push(...read.findings);
    contractSource = contractFile;
  } else if (options.registry) {
    const entries = (await options.registry.entries()).filter((entry) => entry.kind === 'endpoint');
    for (const entry of entries) {
      const endpoint = endpointOfEntry(entry);
      if (endpoint) contract.push({ method: endpoint.method, path: normaliseRoutePath(endpoint.path), ...(entry.file === undefined ? {} : { file: entry.file }), origin: 'integration-registry' });
    }
    if (contract.length > 0) contractSource = 'integration-registry';
  }

  // The code.
  const files = await listProjectFiles(projectDir, {
    ...(options.include === undefined ? {} : { include: options.include }),
    exclude: options.exclude ?? DEFAULT_EXCLUDE,
    ...(options.maxFiles === undefined ? {} : { maxFiles: options.maxFiles }),
    ...(abortSignal === undefined ? {} : { abortSignal }),
  });
  if (files.length >= (options.maxFiles ?? 5000)) notes.push(`Stopped at ${files.length} files; narrow it with include/exclude.`);
  const extractionsByExtractor = new Map<RouteExtractor, FileExtraction[]>();
  const constantsByFile = new Map<string, Record<string, string>>();
  for (const file of files) {
    checkAbort();
    const matching = extractors.filter((extractor) => extractor.matches(file));
    if (matching.length === 0) continue;
    const text = await readFile(join(projectDir, file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      constantsByFile.set(file, collectModuleConstants(file, text));
    } catch {
      // A file that does not parse has no constants to offer; extractors report it below.
    }
    for (const extractor of matching) {
      try {
        const parsed = parseRouteExtraction(await extractor.extract(file, text));
        if ('problem' in parsed) {
          notes.push(`The ${extractor.name} extractor gave an invalid answer for ${file}: ${parsed.problem}`);
          continue;
        }
        const list = extractionsByExtractor.get(extractor) ?? [];
        list.push({ extractor, file, extraction: parsed.extraction });
        extractionsByExtractor.set(extractor, list);
      } catch (error) {
        notes.push(`The ${extractor.name} extractor failed on ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  // Files a backend file mounts or calls into may not name the framework: read them too.
  const projectFiles = new Set(files);
  for (const extractor of extractors) {
    if (extractor.side !== 'backend' || !extractor.extractMounted) continue;
    const list = extractionsByExtractor.get(extractor) ?? [];
    // A file the extractor passed over (it does not name the framework) has an empty extraction.
    const isEmpty = (extraction: FileExtraction['extraction']) => extraction.routes.length === 0 && (extraction.mounts?.length ?? 0) === 0;
    const done = new Set(list.filter((entry) => !isEmpty(entry.extraction)).map((entry) => entry.file));
    for (let index = 0; index < list.length; index += 1) {
      const entry = list[index]!;
      for (const mount of entry.extraction.mounts ?? []) {
        if (!('module' in mount.target)) continue;
        const target = moduleCandidates(entry.file, mount.target.module).find((candidate) => projectFiles.has(candidate));
        if (target === undefined || done.has(target)) continue;
        done.add(target);
        checkAbort();
        const text = await readFile(join(projectDir, target), 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        try {
          const parsed = parseRouteExtraction(await extractor.extractMounted(target, text));
          if ('problem' in parsed) notes.push(`The ${extractor.name} extractor gave an invalid answer for ${target}: ${parsed.problem}`);
          else {
            const passedOver = list.findIndex((candidate) => candidate.file === target);
            if (passedOver >= 0) list.splice(passedOver, 1);
            list.push({ extractor, file: target, extraction: parsed.extraction });
            if (passedOver >= 0 && passedOver < index) index -= 1;
          }
        } catch (error) {
          notes.push(`The ${extractor.name} extractor failed on ${target}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    if (list.length > 0) extractionsByExtractor.set(extractor, list);
  }

  const backend: Endpoint[] = [];
  const frontend: Endpoint[] = [];
  const unresolved: ContractFinding[] = [];
  const serverFiles = new Set<string>();
  for (const [extractor, extractions] of extractionsByExtractor) {
    if (extractor.side !== 'backend') continue;
    for (const { file, extraction } of extractions) if (extraction.routes.length > 0 || (extraction.mounts?.length ?? 0) > 0) serverFiles.add(file);
    const resolved = resolveEndpoints(extractions, { constantsByFile });
    backend.push(...resolved.endpoints);
    unresolved.push(...resolved.warnings);
  }
  const otherHosts = new Map<string, number>();
  for (const [extractor, extractions] of extractionsByExtractor) {
    if (extractor.side !== 'frontend') continue;
    const resolved = resolveEndpoints(extractions, { constantsByFile });
    unresolved.push(...resolved.warnings.filter((warning) => warning.file === undefined || !serverFiles.has(warning.file)));
    for (const endpoint of resolved.endpoints) {
      if (endpoint.file !== undefined && serverFiles.has(endpoint.file)) continue;
      if (endpoint.host !== undefined && !isOwnHost(endpoint.host, options.apiHosts ?? [])) {
        otherHosts.set(endpoint.host, (otherHosts.get(endpoint.host) ?? 0) + 1);
        continue;
      }
      frontend.push(endpoint);
    }
  }
  if (otherHosts.size > 0) {
    const described = [...otherHosts].map(([host, count]) => `${host} (${count})`).join(', ');
    notes.push(`Left out calls to other hosts, taken for third-party services: ${described}. Name your API's hosts in apiHosts to check them.`);
  }
  // Two extractors may read the same route (a file naming both Flask and FastAPI): keep one.
  const seen = new Set<string>();
  const unique = (endpoint: Endpoint) => {
    const key = `${endpoint.method} ${endpoint.path} ${endpoint.file}:${endpoint.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  backend.splice(0, backend.length, ...backend.filter(unique));
  frontend.splice(0, frontend.length, ...frontend.filter(unique));
  backend.sort(byLocation);
  frontend.sort(byLocation);
  contract.sort(byLocation);

  const seenWarnings = new Set<string>();
  const uniqueWarnings = unresolved.filter((warning) => {
    const key = `${warning.file}:${warning.line} ${warning.message}`;
    if (seenWarnings.has(key)) return false;
    seenWarnings.add(key);
    return true;
  });
  const findings = [...contractFindings, ...compareEndpoints({ contract, hasContract: contractSource !== undefined, backend, frontend }), ...uniqueWarnings];
  const checkCommand = checkCommandOf();
  return {
    ...(contractSource === undefined ? {} : { contractSource }),
    contract,
    backend,
    frontend,
    findings,
    isPassed: findings.every((finding) => finding.severity !== 'error'),
    ...(notes.length > 0 ? { notes } : {}),
    ...(checkCommand === undefined ? {} : { checkCommand }),
  };
}
