import { resolve } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { ContractReport, ContractVerifier as ContractVerifierSpec } from '@qoder-orch/spec';
import { checkContract, contractCheckCommand, type ContractVerifierOptions } from './check-contract';
import { touchesApiSurface } from './contract-relevance';

/** What a {@link ContractVerifier} emits while it verifies. */
export type ContractVerifierEvents = {
  /** A check begins in this project directory. */
  start: [event: { projectDir: string }];
  /** A check ended with this report. */
  finish: [event: { report: ContractReport }];
  /** Something the check could not read or left out (also in `report.notes`). */
  warning: [event: { projectDir: string; message: string }];
};

/**
 * Checks that the frontend, the backend and the API contract agree.
 *
 * - The contract is the project's OpenAPI 3 / Swagger 2 document (YAML or JSON), else the
 *   endpoints recorded in the integration registry; without either, only frontend calls are
 *   checked against the backend.
 * - Routes and calls come from the code itself: the TypeScript compiler API for JS/TS (and the
 *   script blocks of Vue/Svelte files), a line parser for Python. Prefixes follow mounts and
 *   imports across files (`app.use('/api', router)`, `include_router`, `register_blueprint`,
 *   `axios.create({ baseURL })` instances and request wrappers imported from other files).
 * - Paths match by shape: `/users/${id}`, `/users/:id`, `/users/{id}` and `/users/[id]` are the
 *   same; parameter names never mismatch; a call's literal (`/users/me`) may fill a parameter.
 * - Findings: `not-implemented`, `not-served`, `method-mismatch`, `param-mismatch` and
 *   `contract-invalid` are errors (the two sides would fail each other at run time);
 *   `not-in-contract` is a warning (an undocumented route breaks nothing by itself).
 * - Left out: calls in files that serve routes (server code calling other services), calls to
 *   absolute URLs on hosts that are neither local nor in `apiHosts` (third-party services; see
 *   `notes`), and URLs that cannot be known statically (a variable from elsewhere).
 *
 * Events: `start` {projectDir}, `finish` {report}, `warning` {projectDir, message}.
 */
export class ContractVerifier extends EventEmitter<ContractVerifierEvents> implements ContractVerifierSpec {
  readonly #options: ContractVerifierOptions;
  /** Computed once: it looks for files beside this module. */
  #checkCommand: { value: string[] | undefined } | undefined;

  constructor(options: ContractVerifierOptions = {}) {
    super();
    this.#options = options;
  }

  /** Checks the project and returns the report; throws `ABORTED` when `abortSignal` fires. */
  async verify({ projectDir, abortSignal }: { projectDir: string; abortSignal?: AbortSignal }): Promise<ContractReport> {
    const absolute = resolve(projectDir);
    this.emit('start', { projectDir: absolute });
    const report = await checkContract(this.#options, absolute, abortSignal, () => (this.#checkCommand ??= { value: contractCheckCommand(this.#options) }).value);
    for (const message of report.notes ?? []) this.emit('warning', { projectDir: absolute, message });
    this.emit('finish', { report });
    return report;
  }

  /**
   * Whether changed files (relative to the project) may change this check's outcome: the
   * contract itself, or a file one of its extractors reads.
   */
  touchesApiSurface(filesChanged: readonly string[]): boolean {
    const { extractors, contractPath, exclude } = this.#options;
    return touchesApiSurface(filesChanged, {
      ...(extractors === undefined ? {} : { extractors }),
      ...(contractPath === undefined ? {} : { contractPath }),
      ...(exclude === undefined ? {} : { exclude }),
    });
  }
}
