export type ContractFindingKind =
  /** In the contract, not served by the backend. */
  | 'not-implemented'
  /** Served by the backend, not in the contract. */
  | 'not-in-contract'
  /** Called by the frontend, not served (and not in the contract). */
  | 'not-served'
  /** Same path, another method. */
  | 'method-mismatch'
  /** Same shape, different path parameters. */
  | 'param-mismatch';

export interface ContractFinding {
  kind: ContractFindingKind;
  method: string;
  /** Normalised: `/users/{id}`. */
  path: string;
  file?: string;
  line?: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface Endpoint {
  method: string;
  /** Normalised: `/users/{id}`. */
  path: string;
  file?: string;
  line?: number;
  /** Which extractor found it (`express`, `fetch`, `openapi` …). */
  origin: string;
}

export interface ContractReport {
  /** The contract used: an OpenAPI file, `integration-registry`, or none. */
  contractSource?: string;
  contract: Endpoint[];
  backend: Endpoint[];
  frontend: Endpoint[];
  findings: ContractFinding[];
  isPassed: boolean;
}

/** Checks that the frontend, the backend and the contract agree. */
export interface ContractChecker {
  verify(options: { projectDir: string; abortSignal?: AbortSignal }): Promise<ContractReport>;
}
