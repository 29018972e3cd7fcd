import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import type { ContractFinding, Endpoint } from '@qoder-orch/spec';
import { HTTP_METHODS, joinRoutePaths, normaliseRoutePath, stripUrlOrigin } from './route-path';

/** Where an OpenAPI document usually lives, in the order they are tried. */
export const OPENAPI_CANDIDATES: readonly string[] = ['', 'api/', 'docs/', 'spec/', 'specs/', 'openapi/'].flatMap((folder) =>
  ['openapi.yaml', 'openapi.yml', 'openapi.json', 'swagger.yaml', 'swagger.yml', 'swagger.json'].map((name) => `${folder}${name}`),
);

const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string().optional(),
  swagger: z.string().optional(),
  basePath: z.string().optional(),
  servers: z.array(z.looseObject({ url: z.string() })).optional(),
  paths: z.record(z.string(), z.union([z.record(z.string(), z.unknown()), z.null()])).default({}),
});

export type OpenApiContract = { endpoints: Endpoint[]; findings: ContractFinding[] };

const METHODS = new Set(HTTP_METHODS.map((method) => method.toLowerCase()).concat('trace'));

/** The endpoints an OpenAPI 3 (or Swagger 2) document declares, each with its line; or why it cannot be read. */
export async function readOpenApiContract(projectDir: string, file: string): Promise<OpenApiContract> {
  const text = await readFile(join(projectDir, file), 'utf8');
  const invalid = (message: string, line?: number): OpenApiContract => ({
    endpoints: [],
    findings: [{ kind: 'contract-invalid', method: '*', path: '/', file, ...(line === undefined ? {} : { line }), message, severity: 'error' }],
  });
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const [error] = document.errors;
  if (error) return invalid(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${error.message.split('\n')[0]}`, lineCounter.linePos(error.pos[0]).line);
  const parsed = OpenApiDocumentSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`${file} is not an OpenAPI document: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'}`);
  }
  if (parsed.data.openapi === undefined && parsed.data.swagger === undefined) return invalid(`${file} has neither an "openapi" nor a "swagger" version field.`);
  const server = parsed.data.servers?.[0]?.url;
  const base = server !== undefined ? stripUrlOrigin(server.replace(/\{[^}]*\}/g, '')) : (parsed.data.basePath ?? '');
  const basePath = base.startsWith('/') ? base : '';

  const endpoints: Endpoint[] = [];
  const paths = document.get('paths', true);
  if (!isMap(paths)) return { endpoints, findings: [] };
  for (const pathPair of paths.items) {
    if (!isScalar(pathPair.key) || typeof pathPair.key.value !== 'string' || !isMap(pathPair.value)) continue;
    const path = normaliseRoutePath(joinRoutePaths(basePath, pathPair.key.value));
    for (const operation of pathPair.value.items) {
      if (!isScalar(operation.key) || typeof operation.key.value !== 'string' || !METHODS.has(operation.key.value.toLowerCase())) continue;
      const offset = operation.key.range?.[0];
      endpoints.push({ method: operation.key.value.toUpperCase(), path, file, ...(offset === undefined ? {} : { line: lineCounter.linePos(offset).line }), origin: 'openapi' });
    }
  }
  return { endpoints, findings: [] };
}
