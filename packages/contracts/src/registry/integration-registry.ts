import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ContractReport, Endpoint } from '@qoder-orch/spec';
import { OrchestratorError, SerialQueue } from '@qoder-orch/spec';
import { writeFileAtomic } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { INTERFACE_KINDS, RegistryFileSchema, SharedInterfaceSchema, type InterfaceKind, type RegistryEntry, type RegistryFile, type SharedInterfaceInput } from './registry-schema';

export interface IntegrationRegistryOptions {
  /** The project root. */
  projectDir: string;
  /** Relative to `projectDir`. @default 'specs/integration_registry.json' */
  path?: string;
  /** For `recordedAt`. @default () => new Date() */
  now?: () => Date;
}

/** The shared models and interfaces between tasks, persisted so dependent tasks see them. */
export interface IntegrationRegistry {
  /** The absolute path of the registry file. */
  readonly path: string;
  /**
   * Records what a task reported it defined. A task's earlier entries are replaced; an entry
   * of the same kind and name from another task is taken over by this one. Invalid items are
   * skipped (they come from agents). Returns the entries recorded.
   */
  record(taskId: string, interfaces: readonly unknown[]): Promise<RegistryEntry[]>;
  /** Keeps the contract's endpoints and what the backend serves, for the tasks' prompts. */
  recordContract(report: ContractReport): Promise<void>;
  /**
   * The interfaces a task should see, as prompt text: those defined by its (transitive)
   * dependencies, those of tasks outside the plan (earlier iterations), and the API contract.
   * Tasks of the same plan that it does not depend on are left out (they may still be running).
   * Empty when there is nothing.
   */
  forTask(task: Task, plan: Plan): Promise<string>;
  entries(): Promise<RegistryEntry[]>;
}

const DEFAULT_PATH = 'specs/integration_registry.json';
const MAX_LISTED_ENDPOINTS = 80;
const ENDPOINT_NAME = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/\S*)/i;

/** Parses `GET /users/{id}` out of an endpoint entry's name or signature. */
export function endpointOfEntry(entry: Pick<RegistryEntry, 'name' | 'signature'>): { method: string; path: string } | undefined {
  const match = ENDPOINT_NAME.exec(entry.name) ?? (entry.signature ? ENDPOINT_NAME.exec(entry.signature) : null);
  if (match) return { method: (match[1] ?? '').toUpperCase(), path: match[2] ?? '/' };
  const path = /(?:^|\s)(\/[^\s]*)/.exec(entry.name)?.[1] ?? (entry.signature ? /(?:^|\s)(\/[^\s]*)/.exec(entry.signature)?.[1] : undefined);
  return path ? { method: '*', path } : undefined;
}

function kindOf(input: { name: string; kind?: string | undefined; fields?: string[] | undefined; signature?: string | undefined }): InterfaceKind {
  const kind = input.kind?.toLowerCase().trim();
  if (kind && (INTERFACE_KINDS as readonly string[]).includes(kind)) return kind as InterfaceKind;
  if (kind && /route|api|endpoint/.test(kind)) return 'endpoint';
  if (kind && /type|schema|interface|entity|dto|model/.test(kind)) return 'model';
  if (ENDPOINT_NAME.test(input.name) || (input.signature && ENDPOINT_NAME.test(input.signature))) return 'endpoint';
  if (input.fields && input.fields.length > 0) return 'model';
  return 'module';
}

/** Creates a registry over `specs/integration_registry.json` (read on first use, written atomically). */
export function createIntegrationRegistry(options: IntegrationRegistryOptions): IntegrationRegistry {
  const projectDir = resolve(options.projectDir);
  const path = resolve(projectDir, options.path ?? DEFAULT_PATH);
  const relativePath = relative(projectDir, path);
  if (relativePath.startsWith('..') || isAbsolute(relativePath)) {
    throw new OrchestratorError({ code: 'PATH_OUTSIDE_PROJECT', message: `The integration registry path ${path} is outside the project ${projectDir}.`, fix: 'Give a path inside the project, such as specs/integration_registry.json.' });
  }
  const now = options.now ?? (() => new Date());
  let state: RegistryFile | undefined;
  // Parallel tasks record at once: every change runs after the previous one.
  const queue = new SerialQueue();

  const load = async (): Promise<RegistryFile> => {
    if (state) return state;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (state = RegistryFileSchema.parse({}));
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: `Cannot read the integration registry ${relativePath}: ${(error as Error).message}`, cause: error, fix: 'Check the file permissions.' });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new OrchestratorError({
        code: 'CONFIG_INVALID',
        message: `The integration registry ${relativePath} is not valid JSON: ${(error as Error).message}`,
        cause: error,
        fix: `Repair ${relativePath}, or move it away to start a new registry (it is rebuilt from the tasks' reports).`,
      });
    }
    const parsed = RegistryFileSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new OrchestratorError({
        code: 'CONFIG_INVALID',
        message: `The integration registry ${relativePath} does not have the expected shape: ${issues}`,
        fix: `Repair ${relativePath}, or move it away to start a new registry (it is rebuilt from the tasks' reports).`,
      });
    }
    return (state = parsed.data);
  };
  const save = async (next: RegistryFile) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    state = next;
  };
  const serialised = <T>(operation: () => Promise<T>): Promise<T> => queue.run(operation);

  return {
    path,
    record: (taskId, interfaces) =>
      serialised(async () => {
        const current = await load();
        const recordedAt = now().toISOString();
        const recorded: RegistryEntry[] = [];
        for (const item of interfaces) {
          const parsed = SharedInterfaceSchema.safeParse(item);
          if (!parsed.success) continue;
          const { name, file, fields, signature } = parsed.data;
          const entry: RegistryEntry = {
            name,
            kind: kindOf(parsed.data),
            taskId,
            ...(file === undefined ? {} : { file }),
            ...(fields === undefined ? {} : { fields }),
            ...(signature === undefined ? {} : { signature }),
            recordedAt,
          };
          const duplicate = recorded.findIndex((existing) => existing.kind === entry.kind && existing.name === entry.name);
          if (duplicate >= 0) recorded[duplicate] = entry;
          else recorded.push(entry);
        }
        const keys = new Set(recorded.map((entry) => `${entry.kind}\u0000${entry.name}`));
        const kept = current.entries.filter((entry) => entry.taskId !== taskId && !keys.has(`${entry.kind}\u0000${entry.name}`));
        await save({ ...current, entries: [...kept, ...recorded] });
        return recorded;
      }),
    recordContract: (report) =>
      serialised(async () => {
        const current = await load();
        const strip = (endpoint: Endpoint): Endpoint => ({ ...endpoint });
        await save({
          ...current,
          contract: {
            ...(report.contractSource === undefined ? {} : { source: report.contractSource }),
            endpoints: report.contract.map(strip),
            served: report.backend.map(strip),
            recordedAt: now().toISOString(),
          },
        });
      }),
    forTask: (task, plan) =>
      serialised(async () => {
        const current = await load();
        return describeForTask(task, plan, current);
      }),
    entries: () => serialised(async () => [...(await load()).entries]),
  };
}

function dependenciesOf(task: Task, plan: Plan): Set<string> {
  const byId = new Map(plan.tasks.map((candidate) => [candidate.id, candidate]));
  const found = new Set<string>();
  const stack = [...task.dependsOn];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (found.has(id) || id === task.id) continue;
    found.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return found;
}

function describeEntry(entry: RegistryEntry): string {
  const where = [`task ${entry.taskId}`, entry.file].filter(Boolean).join(', ');
  const lines = [`- ${entry.kind} ${entry.name} (${where})`];
  if (entry.signature) lines.push(`  signature: ${entry.signature}`);
  if (entry.fields && entry.fields.length > 0) lines.push(`  fields: ${entry.fields.join('; ')}`);
  return lines.join('\n');
}

function describeEndpoints(endpoints: ReadonlyArray<Pick<Endpoint, 'method' | 'path'> & { file?: string | undefined; line?: number | undefined }>): string[] {
  const unique = [...new Map(endpoints.map((endpoint) => [`${endpoint.method} ${endpoint.path}`, endpoint])).values()];
  const lines = unique.slice(0, MAX_LISTED_ENDPOINTS).map((endpoint) => `- ${endpoint.method} ${endpoint.path}${endpoint.file ? ` (${endpoint.file}${endpoint.line ? `:${endpoint.line}` : ''})` : ''}`);
  if (unique.length > MAX_LISTED_ENDPOINTS) lines.push(`- … ${unique.length - MAX_LISTED_ENDPOINTS} more`);
  return lines;
}

function describeForTask(task: Task, plan: Plan, registry: RegistryFile): string {
  const dependencies = dependenciesOf(task, plan);
  const planTaskIds = new Set(plan.tasks.map((candidate) => candidate.id));
  const fromDependencies = registry.entries.filter((entry) => dependencies.has(entry.taskId));
  const fromEarlier = registry.entries.filter((entry) => !planTaskIds.has(entry.taskId));
  const sections: string[] = [];
  if (fromDependencies.length > 0) sections.push(['Defined by the tasks this one depends on:', ...fromDependencies.map(describeEntry)].join('\n'));
  if (fromEarlier.length > 0) sections.push(['Defined by earlier work:', ...fromEarlier.map(describeEntry)].join('\n'));
  const contract = registry.contract;
  if (contract && contract.endpoints.length > 0) sections.push([`API contract (${contract.source ?? 'recorded'}):`, ...describeEndpoints(contract.endpoints)].join('\n'));
  if (contract && contract.served.length > 0) sections.push(['Routes the backend serves now:', ...describeEndpoints(contract.served)].join('\n'));
  return sections.join('\n\n');
}
