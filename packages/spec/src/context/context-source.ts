import type { SubagentDefinition } from '../subagents/subagent-schema';
import type { Task } from '../schemas/task';

/** One piece of project knowledge with its origin. */
export interface ContextChunk {
  /** Stable content hash. */
  id: string;
  /** Where it came from, relative to the project: `AGENTS.md`, `.qoder/repowiki/en/auth.md` … */
  source: string;
  /** The heading path inside the source, e.g. `Auth > Tokens`. */
  heading?: string;
  kind: 'rule' | 'wiki' | 'skill' | 'memory' | 'subagent' | 'other';
  text: string;
}

export interface ScoredChunk extends ContextChunk {
  score: number;
}

/** What one refresh changed. */
export interface ContextRefreshResult {
  version: string;
  added: number;
  modified: number;
  removed: number;
  unchanged: number;
  /** Which ranking is in use; `lexical` when the embedding model could not be loaded. */
  ranking: 'semantic' | 'lexical';
  durationMs: number;
}

export interface TaskContext {
  /** The text to give the agent, sources named. */
  text: string;
  /** The chunks included, in order. */
  chunks: ScoredChunk[];
  tokens: number;
  /** The context version the task saw. */
  version: string;
  isCacheHit: boolean;
}

export interface ContextStats {
  cacheHits: number;
  cacheMisses: number;
  embeddingsComputed: number;
  embeddingsReused: number;
}

/**
 * What the orchestrator asks "what should the agent doing this task know?".
 * `@qoder-orch/context` implements it; users may implement their own.
 */
export interface ContextSource {
  refresh(options?: { abortSignal?: AbortSignal }): Promise<ContextRefreshResult>;
  search(query: string, k: number): Promise<ScoredChunk[]>;
  contextFor(task: Task, options: { tokenBudget: number; subagent?: SubagentDefinition; abortSignal?: AbortSignal }): Promise<TaskContext>;
  /** Subagents found in the project's context folders. */
  subagents(): Promise<SubagentDefinition[]>;
  /** Rules that go to every task. */
  rules(): Promise<ContextChunk[]>;
  stats(): ContextStats;
  /** Persist caches. */
  close?(): Promise<void>;
}
