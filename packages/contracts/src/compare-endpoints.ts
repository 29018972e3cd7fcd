import type { ContractFinding, Endpoint, FindingCounterpart } from '@qoder-orch/spec';
import { joinRoutePaths, matchRoutePaths, methodsMatch, type PathMatch } from './route-path';

const where = (endpoint: Endpoint) => (endpoint.file ? `${endpoint.file}${endpoint.line ? `:${endpoint.line}` : ''}` : 'unknown location');
const location = (endpoint: Endpoint) => ({ ...(endpoint.file === undefined ? {} : { file: endpoint.file }), ...(endpoint.line === undefined ? {} : { line: endpoint.line }) });

const sideOf = (endpoint: Endpoint): FindingCounterpart['side'] => (endpoint.origin === 'openapi' || endpoint.origin === 'integration-registry' ? 'contract' : undefined) ?? 'backend';
const counterpart = (endpoint: Endpoint, side: FindingCounterpart['side'] = sideOf(endpoint)): FindingCounterpart => ({ side, method: endpoint.method, path: endpoint.path, ...location(endpoint) });

/** Leading segments two paths share (parameters meet parameters), ignoring an unknown `{x*}` lead. */
function sharedLead(a: string, b: string): number {
  const segments = (path: string) =>
    path
      .split('/')
      .filter((segment) => segment && !/^\{.*\*\??\}$/.test(segment))
      .map((segment) => (segment.startsWith('{') ? '{}' : segment.toLowerCase()));
  const left = segments(a);
  const right = segments(b);
  let count = 0;
  while (count < left.length && count < right.length && left[count] === right[count]) count += 1;
  return count;
}

/** The endpoints of `targets` closest to `path` (most shared leading segments, at least one), at most three. */
function nearest(path: string, targets: readonly Endpoint[], side?: FindingCounterpart['side']): FindingCounterpart[] {
  const scored = targets.map((endpoint) => ({ endpoint, score: sharedLead(path, endpoint.path) })).filter((entry) => entry.score > 0);
  const best = Math.max(0, ...scored.map((entry) => entry.score));
  return scored
    .filter((entry) => entry.score === best)
    .slice(0, 3)
    .map((entry) => counterpart(entry.endpoint, side));
}

const withCounterparts = (list: FindingCounterpart[]) => (list.length > 0 ? { counterparts: list } : {});

interface Candidate {
  endpoint: Endpoint;
  match: PathMatch;
}

/**
 * The path to match with. Endpoints agents recorded in the integration registry may leave out
 * a mount prefix they did not know (`GET /todos` for `/api/todos`): they match by path ending.
 */
function matchablePath(endpoint: Endpoint): string {
  return endpoint.origin === 'integration-registry' ? joinRoutePaths('{base*}', endpoint.path) : endpoint.path;
}

/** Endpoints of `targets` whose path meets `path` (best matches first). */
function candidates(path: string, targets: readonly Endpoint[], isCall: boolean): Candidate[] {
  const found: Candidate[] = [];
  for (const endpoint of targets) {
    const match = matchRoutePaths(path, matchablePath(endpoint));
    // A call with a literal where the route has a parameter (`/users/42`) is an exact use of it.
    const effective: PathMatch = match === 'value' && isCall ? 'exact' : match;
    if (effective !== 'none') found.push({ endpoint, match: effective });
  }
  const rank = { exact: 0, value: 1, param: 2, none: 3 } as const;
  return found.sort((a, b) => rank[a.match] - rank[b.match]);
}

export interface CompareInput {
  contract: readonly Endpoint[];
  /** Whether there is a contract at all (without one, nothing is "not in contract"). */
  hasContract: boolean;
  backend: readonly Endpoint[];
  frontend: readonly Endpoint[];
}

/**
 * The findings, one per endpoint and problem:
 * - contract vs backend: `not-implemented` (error), `method-mismatch` (error, path served with
 *   other methods), `param-mismatch` (error, the paths meet only through a parameter on one side
 *   and a fixed segment on the other), `not-in-contract` (warning: undocumented is not broken);
 * - frontend vs backend and contract: `not-served` (error), `method-mismatch` (error),
 *   `param-mismatch` (error). A call the contract lists but the backend lacks is not reported
 *   again: the contract endpoint's `not-implemented` covers it.
 * Sorted by file, line, method and path.
 */
export function compareEndpoints(input: CompareInput): ContractFinding[] {
  const findings: ContractFinding[] = [];
  const coveredBackend = new Set<Endpoint>();

  for (const endpoint of input.contract) {
    const found = candidates(matchablePath(endpoint), input.backend, false);
    const served = found.filter((candidate) => candidate.match !== 'param' && methodsMatch(endpoint.method, candidate.endpoint.method));
    for (const candidate of served) coveredBackend.add(candidate.endpoint);
    if (served.length > 0) continue;
    const samePath = found.find((candidate) => candidate.match !== 'param');
    if (samePath) {
      // The backend's other methods on this path are this finding, not undocumented routes too.
      for (const candidate of found) if (candidate.match !== 'param') coveredBackend.add(candidate.endpoint);
      const methods = [...new Set(found.filter((candidate) => candidate.match !== 'param').map((candidate) => candidate.endpoint.method))].join(', ');
      findings.push({
        kind: 'method-mismatch',
        method: endpoint.method,
        path: endpoint.path,
        ...location(samePath.endpoint),
        message: `The contract (${where(endpoint)}) lists ${endpoint.method} ${endpoint.path}, but the backend serves ${samePath.endpoint.path} only as ${methods}.`,
        severity: 'error',
        ...withCounterparts([
          counterpart(endpoint, 'contract'),
          ...found
            .filter((candidate) => candidate.match !== 'param')
            .slice(0, 3)
            .map((candidate) => counterpart(candidate.endpoint, 'backend')),
        ]),
      });
      continue;
    }
    const loose = found.find((candidate) => methodsMatch(endpoint.method, candidate.endpoint.method));
    if (loose) {
      coveredBackend.add(loose.endpoint);
      findings.push({
        kind: 'param-mismatch',
        method: endpoint.method,
        path: endpoint.path,
        ...location(loose.endpoint),
        message: `The contract (${where(endpoint)}) has ${endpoint.method} ${endpoint.path}, but the backend serves ${loose.endpoint.method} ${loose.endpoint.path}: a path parameter on one side is a fixed segment on the other.`,
        severity: 'error',
        ...withCounterparts([counterpart(endpoint, 'contract'), counterpart(loose.endpoint, 'backend')]),
      });
      continue;
    }
    findings.push({
      kind: 'not-implemented',
      method: endpoint.method,
      path: endpoint.path,
      ...location(endpoint),
      message: `${endpoint.method} ${endpoint.path} is in the contract but no backend route serves it.`,
      severity: 'error',
      // Where it would be served (the backend's nearest routes) and who calls it.
      ...withCounterparts([
        ...nearest(endpoint.path, input.backend, 'backend'),
        ...input.frontend
          .filter((call) => matchRoutePaths(call.path, endpoint.path) !== 'none' && methodsMatch(call.method, endpoint.method))
          .slice(0, 3)
          .map((call) => counterpart(call, 'frontend')),
      ]),
    });
  }

  if (input.hasContract) {
    for (const endpoint of input.backend) {
      if (coveredBackend.has(endpoint)) continue;
      const isMethodUndocumented = input.contract.some((entry) => matchRoutePaths(endpoint.path, matchablePath(entry)) === 'exact');
      findings.push({
        kind: 'not-in-contract',
        method: endpoint.method,
        path: endpoint.path,
        ...location(endpoint),
        message: isMethodUndocumented
          ? `${endpoint.method} ${endpoint.path} is served (${endpoint.origin}), but the contract lists other methods for this path.`
          : `${endpoint.method} ${endpoint.path} is served (${endpoint.origin}) but not in the contract.`,
        severity: 'warning',
      });
    }
  }

  for (const call of input.frontend) {
    const served = candidates(call.path, input.backend, true);
    if (served.some((candidate) => candidate.match === 'exact' && methodsMatch(call.method, candidate.endpoint.method))) continue;
    const listed = candidates(call.path, input.contract, true);
    if (listed.some((candidate) => candidate.match === 'exact' && methodsMatch(call.method, candidate.endpoint.method))) continue;
    const all = [...served, ...listed];
    const samePath = all.filter((candidate) => candidate.match === 'exact');
    if (samePath.length > 0) {
      const first = samePath[0]!.endpoint;
      const methods = [...new Set(samePath.map((candidate) => candidate.endpoint.method))].join(', ');
      findings.push({
        kind: 'method-mismatch',
        method: call.method,
        path: call.path,
        ...location(call),
        message: `The frontend calls ${call.method} ${call.path}, but ${first.path} is ${first.origin === 'openapi' || first.origin === 'integration-registry' ? 'in the contract' : 'served'} only as ${methods} (${where(first)}).`,
        severity: 'error',
        ...withCounterparts(samePath.slice(0, 3).map((candidate) => counterpart(candidate.endpoint))),
      });
      continue;
    }
    const loose = all.find((candidate) => methodsMatch(call.method, candidate.endpoint.method));
    if (loose) {
      findings.push({
        kind: 'param-mismatch',
        method: call.method,
        path: call.path,
        ...location(call),
        message: `The frontend calls ${call.method} ${call.path}, which meets ${loose.endpoint.method} ${loose.endpoint.path} (${where(loose.endpoint)}) only where a parameter stands for a fixed segment.`,
        severity: 'error',
        ...withCounterparts([counterpart(loose.endpoint)]),
      });
      continue;
    }
    findings.push({
      kind: 'not-served',
      method: call.method,
      path: call.path,
      ...location(call),
      message: `The frontend calls ${call.method} ${call.path} (${call.origin}), but no backend route serves it${input.hasContract ? ' and the contract does not list it' : ''}.`,
      severity: 'error',
      ...withCounterparts([...nearest(call.path, input.backend, 'backend'), ...nearest(call.path, input.contract, 'contract')]),
    });
  }

  return findings.sort(compareFindings);
}

function compareFindings(a: ContractFinding, b: ContractFinding): number {
  return (a.file ?? '\uffff').localeCompare(b.file ?? '\uffff') || (a.line ?? 0) - (b.line ?? 0) || a.method.localeCompare(b.method) || a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind);
}
