/**
 * @qoder-orch/contracts: checks that a project's frontend, backend and API contract agree, and
 * keeps the integration registry (the interfaces tasks share). Hand a `ContractVerifier` and a
 * registry to the engine (`contractVerifier`, `registry` options).
 */

// Verifying the API contract
export { ContractVerifier } from './contract-verifier';
export type { ContractVerifierEvents } from './contract-verifier';
export type { ContractVerifierOptions } from './check-contract';
export { touchesApiSurface } from './contract-relevance';
export type { ContractRelevanceOptions } from './contract-relevance';
export { formatContractReport } from './format-contract-report';
export { OPENAPI_CANDIDATES } from './openapi-contract';
export { DEFAULT_EXCLUDE as DEFAULT_CONTRACT_EXCLUDE } from './project-files';

// Teaching it another framework
export type { ExtractedRoute, RouteExtraction, RouteExtractor, RouteImport, RouteMount } from './route-extractor';
export { HTTP_METHODS, joinRoutePaths, matchRoutePaths, normaliseRoutePath } from './route-path';
export type { PathMatch } from './route-path';
export { extractCallRoutes } from './call-routes';
export type { CallRouteOptions } from './call-routes';
export { DEFAULT_ROUTE_EXTRACTORS } from './extractors/default-extractors';
export { expressExtractor } from './extractors/express-extractor';
export { fastifyExtractor } from './extractors/fastify-extractor';
export { koaExtractor } from './extractors/koa-extractor';
export { honoExtractor } from './extractors/hono-extractor';
export { nestjsExtractor } from './extractors/nestjs-extractor';
export { nextjsExtractor } from './extractors/nextjs-extractor';
export { fastapiExtractor } from './extractors/fastapi-extractor';
export { flaskExtractor } from './extractors/flask-extractor';
export { fetchExtractor } from './extractors/fetch-extractor';
export { axiosExtractor } from './extractors/axios-extractor';
export { kyExtractor } from './extractors/ky-extractor';

// The integration registry
export { createIntegrationRegistry, endpointOfEntry } from './registry/integration-registry';
export type { IntegrationRegistry, IntegrationRegistryOptions } from './registry/integration-registry';
export { INTERFACE_KINDS, RegistryEntrySchema, RegistryFileSchema, SharedInterfaceSchema } from './registry/registry-schema';
export type { InterfaceKind, RegistryEntry, RegistryFile, SharedInterfaceInput } from './registry/registry-schema';
