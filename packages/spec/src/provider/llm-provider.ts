import type { Usage } from './usage';

/** How much an agent may do without asking. Mapped by each provider onto its CLI's own modes. */
export type PermissionMode = 'default' | 'acceptEdits' | 'plan' | 'bypassPermissions' | 'dontAsk' | 'auto';

/** Something an agent did while working, streamed as it happens. */
export type AgentEvent =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: unknown }
  | { type: 'tool-result'; toolCallId: string; isError: boolean; output: string }
  | { type: 'retry'; attempt: number; maxRetries?: number; delayMs?: number; errorStatus?: number }
  | { type: 'status'; message: string };

export interface CompleteOptions {
  /** The user prompt. */
  prompt: string;
  /** Extra system instructions. */
  system?: string;
  /** A JSON Schema the answer must follow, for providers that can enforce one. */
  jsonSchema?: Record<string, unknown>;
  /** Where the provider runs (some CLIs read project files). */
  cwd?: string;
  /** What the call is for; providers may pick a model per purpose. */
  purpose?: 'plan' | 'judge' | 'other';
  model?: string;
  /** Outer timeout in ms; the provider kills its whole process tree when it passes. */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
}

/**
 * A completion expected soon, without its prompt (`LLMProviderV1.doWarmUp`): the next
 * `doComplete` whose other options are the same may use what the warm-up started.
 */
export type WarmUpOptions = Omit<CompleteOptions, 'prompt' | 'abortSignal'>;

/** A warm-up in progress: `cancel` ends what it started unless a completion took it already. */
export interface WarmUp {
  cancel(): void;
}

export interface CompleteResult {
  text: string;
  /** The parsed structured answer when `jsonSchema` was given and the provider returned one. */
  json?: unknown;
  usage: Usage;
  costUsd?: number;
  sessionId?: string;
}

export interface RunTaskOptions {
  /** The id of the task being run (for logs, session names, transcripts). */
  taskId: string;
  /** The run it belongs to (a remote executor names its job and branch after run, task and attempt). */
  runId?: string;
  /** Which attempt of the task this is, 1-based. */
  attempt?: number;
  /** The full task prompt: objective, task, acceptance criteria, context. */
  prompt: string;
  /** The working directory the agent edits (the repository or the task's worktree). */
  cwd: string;
  /** The subagent's system prompt, appended to the CLI's own. */
  systemPrompt?: string;
  /** Tools the agent may use without asking, in Claude Code names (`Read`, `Edit`, `Write`, `Bash` …). */
  allowedTools?: readonly string[];
  disallowedTools?: readonly string[];
  /** @default 'acceptEdits' */
  permissionMode?: PermissionMode;
  maxTurns?: number;
  model?: string;
  /** Stop when the spend passes this, for CLIs that support it. */
  maxBudgetUsd?: number;
  /** Resume this earlier session instead of starting a new one. */
  resumeSessionId?: string;
  /** Outer timeout in ms; the provider kills its whole process tree when it passes. */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
  /** Extra environment for the agent process (never logged). */
  env?: Readonly<Record<string, string>>;
  /** Called for every agent event while it works. */
  onEvent?: (event: AgentEvent) => void;
}

export interface PermissionDenial {
  toolName: string;
  input?: unknown;
}

export interface RunTaskResult {
  /** The agent's own final message. A claim, not evidence: the orchestrator verifies. */
  summary: string;
  usage: Usage;
  costUsd?: number;
  sessionId?: string;
  numTurns?: number;
  durationMs: number;
  /** A structured result when the agent produced one (deviations from the wiki, models defined …). */
  structuredOutput?: unknown;
}

export interface CheckOptions {
  cwd?: string;
  abortSignal?: AbortSignal;
  timeoutMs?: number;
}

export interface CheckProblem {
  message: string;
  fix: string;
  severity: 'error' | 'warning';
}

export interface CheckResult {
  installed: boolean;
  /** The executable used. */
  path?: string;
  version?: string;
  /** `unknown` when the CLI cannot tell without a model call. */
  authenticated: boolean | 'unknown';
  problems: CheckProblem[];
}

/**
 * The provider specification, version 1. Implement it to plug in any agent.
 *
 * Users never call `do*` methods directly: the orchestrator (or `completeText` /
 * `runAgentTask`) does, adding validation, timeouts and error normalisation.
 *
 * Failure contract: `doComplete` and `doRunTask` resolve only when the work succeeded, and
 * otherwise reject with a `ProviderError` whose `code` says why (`RATE_LIMITED`, `AUTH`,
 * `MAX_TURNS`, `PERMISSION_DENIED`, `TIMEOUT`, `CRASHED`, `BAD_OUTPUT` …), with
 * `isRetryable`, `retryAfterMs` and whatever was spent.
 */
export interface LLMProviderV1 {
  readonly specificationVersion: 'v1';
  /** A stable id, e.g. `claude-cli`. */
  readonly providerId: string;
  doComplete(options: CompleteOptions): Promise<CompleteResult>;
  /**
   * A hint that a completion with these options (all but the prompt) is coming: a CLI provider
   * may start its process now, so that the call answers without the CLI's start-up (a second or
   * more for Claude Code). The next `doComplete` with the same options uses it; one with other
   * options starts its own. Never fails: a warm-up that cannot start is forgotten, and the
   * completion starts as it would have. Cancel what is not used.
   */
  doWarmUp?(options: WarmUpOptions): WarmUp;
  doRunTask(options: RunTaskOptions): Promise<RunTaskResult>;
  /** Is it installed, which version, is it authenticated. Used by preflight. */
  doCheck?(options: CheckOptions): Promise<CheckResult>;
}
