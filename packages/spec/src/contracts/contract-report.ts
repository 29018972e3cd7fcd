import { z } from 'zod';

export type ContractFindingKind =
  /** In the contract, not served by the backend. */
  | 'not-implemented'
  /** Served by the backend, not in the contract. */
  | 'not-in-contract'
  /** Called by the frontend, not served (and not in the contract). */
  | 'not-served'
  /** Same path, another method. */
  | 'method-mismatch'
  /**
   * The paths meet only where one side has a parameter and the other a fixed segment
   * (contract `/users/{id}`, code `/users/me`). Parameter names alone never mismatch.
   */
  | 'param-mismatch'
  /** The contract file exists but cannot be read as OpenAPI. */
  | 'contract-invalid'
  /**
   * Something the extractors could not resolve (a prefix computed at run time, a router
   * mounted where the code cannot be followed, a URL built elsewhere). Always a warning:
   * what it touches is matched leniently, never reported as a mismatch.
   */
  | 'unresolved';

/** An endpoint on the other side of a finding: the route a call nearly meets, the contract entry a route differs from. */
export interface FindingCounterpart {
  side: 'contract' | 'backend' | 'frontend';
  method: string;
  path: string;
  file?: string;
  line?: number;
}

export interface ContractFinding {
  kind: ContractFindingKind;
  method: string;
  /** Normalised: `/users/{id}`. */
  path: string;
  file?: string;
  line?: number;
  message: string;
  severity: 'error' | 'warning';
  /** The closest endpoints on the other sides, so a fix can look at both (at most a few). */
  counterparts?: FindingCounterpart[];
}

export interface Endpoint {
  method: string;
  /** Normalised: `/users/{id}`. */
  path: string;
  file?: string;
  line?: number;
  /** Which extractor found it (`express`, `fetch`, `openapi` …). */
  origin: string;
  /** For frontend calls to an absolute URL: its host (with port). */
  host?: string;
}

export interface ContractReport {
  /** The contract used: an OpenAPI file, `integration-registry`, or none. */
  contractSource?: string;
  contract: Endpoint[];
  backend: Endpoint[];
  frontend: Endpoint[];
  findings: ContractFinding[];
  /** No finding of severity `error`. */
  isPassed: boolean;
  /** What limited the check (an extractor that failed on a file, the file limit reached). */
  notes?: string[];
  /**
   * A command that runs this same check in a project directory (its working directory) and
   * exits 0 when there is no error: follow-up tasks for contract errors carry it as their check.
   */
  checkCommand?: string[];
}

/**
 * Checks that the frontend, the backend and the contract agree. The engine takes any object of
 * this shape; `@qoder-orch/contracts` has the real one.
 */
export interface ContractVerifier {
  verify(options: { projectDir: string; abortSignal?: AbortSignal }): Promise<ContractReport>;
  /**
   * Whether changed files (relative to the project) may change the outcome of {@link verify};
   * the engine verifies after tasks for which this is true, and always at the end. Without it,
   * the engine guesses from file names (source files and OpenAPI documents).
   */
  touchesApiSurface?(filesChanged: readonly string[]): boolean;
}

const EndpointSchema = z.object({
  method: z.string(),
  path: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  origin: z.string(),
  host: z.string().optional(),
});

/** Validates a report from any ContractVerifier (a user's own included) before it is used as evidence. */
export const ContractReportSchema = z.object({
  contractSource: z.string().optional(),
  contract: z.array(EndpointSchema),
  backend: z.array(EndpointSchema),
  frontend: z.array(EndpointSchema),
  findings: z.array(
    z.object({
      kind: z.enum(['not-implemented', 'not-in-contract', 'not-served', 'method-mismatch', 'param-mismatch', 'contract-invalid', 'unresolved']),
      method: z.string(),
      path: z.string(),
      file: z.string().optional(),
      line: z.number().int().optional(),
      message: z.string(),
      severity: z.enum(['error', 'warning']),
      counterparts: z.array(z.object({ side: z.enum(['contract', 'backend', 'frontend']), method: z.string(), path: z.string(), file: z.string().optional(), line: z.number().int().optional() })).optional(),
    }),
  ),
  isPassed: z.boolean(),
  notes: z.array(z.string()).optional(),
  checkCommand: z.array(z.string().min(1)).min(1).optional(),
});
