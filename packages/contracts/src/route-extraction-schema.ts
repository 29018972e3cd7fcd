import { z } from 'zod';
import type { RouteExtraction } from './route-extractor';
import { normaliseMethod } from './route-path';

const OwnerMap = z.record(z.string(), z.string());

const ExtractedRouteSchema = z.object({
  method: z.string().min(1).transform(normaliseMethod),
  path: z.string(),
  line: z.number().int().positive(),
  owner: z.string().optional(),
  isTentative: z.boolean().optional(),
  host: z.string().optional(),
});

const RouteExtractionSchema = z.object({
  routes: z.array(ExtractedRouteSchema),
  mounts: z
    .array(
      z.object({
        owner: z.string(),
        prefix: z.string(),
        line: z.number().int(),
        target: z.union([z.object({ owner: z.string() }), z.object({ module: z.string(), exportName: z.string().optional() })]),
        replacesPrefix: z.boolean().optional(),
      }),
    )
    .optional(),
  imports: z.array(z.object({ owner: z.string(), module: z.string(), exportName: z.string().optional() })).optional(),
  ownerPrefixes: OwnerMap.optional(),
  ownerHosts: OwnerMap.optional(),
  ownerMethods: OwnerMap.optional(),
  exportedOwners: z.array(z.string()).optional(),
  defaultExport: z.string().optional(),
  globalPrefix: z.string().optional(),
  versionPrefix: z.string().optional(),
  defaultVersion: z.string().optional(),
  mountedOwners: z.array(z.string()).optional(),
  rootOwners: z.array(z.string()).optional(),
  unresolved: z.array(z.object({ line: z.number().int(), reason: z.string() })).optional(),
});

/** An extractor's answer (extractors may be the user's), checked and with methods in upper case. */
export function parseRouteExtraction(value: unknown): { extraction: RouteExtraction } | { problem: string } {
  const parsed = RouteExtractionSchema.safeParse(Array.isArray(value) ? { routes: value } : value);
  if (parsed.success) return { extraction: parsed.data as RouteExtraction };
  const issue = parsed.error.issues[0];
  return { problem: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape' };
}
