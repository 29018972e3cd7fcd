import type { Config } from '../config/config-schema';
import type { TaskWorkspace } from '../git/task-workspace';
import type { PinnedTestCommand } from '../judge/detect-test-command';
import type { DeviationSink, InterfaceRegistry } from '../orchestrator/orchestrator-options';
import type { RetryPolicy } from '../shared/retry-policy';
import type { KeptConflict } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task, VerifyCommand } from '@qoder-orch/spec';
import type { TaskResult } from '@qoder-orch/spec';
import type { LLMProviderV1 } from '@qoder-orch/spec';
import type { ContextSource } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { UsageLimitGate } from './usage-limit-gate';

/** A task's state as the pipeline moves it, for whoever keeps a resumable record of the run. */
export interface TaskStateChange {
  status: TaskResult['status'];
  attempts: number;
  checkpoint?: string;
  worktree?: string;
  result?: TaskResult;
}

/** What a {@link TaskPipeline} works with. Only `provider`, `workspace`, `config`, `projectDir` and `objective` are required. */
export interface TaskPipelineOptions {
  /** The provider of every task whose subagent names none (or an unknown one). */
  provider: LLMProviderV1;
  /** Providers by name, for subagents that name one. */
  providers?: Readonly<Record<string, LLMProviderV1>>;
  /** Subagents by name: a task's `agent` picks its system prompt, tools, model and provider. */
  subagents?: ReadonlyMap<string, SubagentDefinition>;
  /** Where tasks work: checkpoints, worktrees, commits and merges. */
  workspace: TaskWorkspace;
  /** Settings read: `llm.model`, `execution.taskTimeout`, `semanticSearch.tokenBudget`, `rollback.*`. */
  config: Config;
  /** The objective every prompt names (fenced, as data). */
  objective: string;
  /** Names checkpoints, branches and commit messages. @default 'pipeline' */
  runId?: string;
  /** @default 1 */
  iteration?: number;
  /** The plan the tasks come from (the registry reads their dependencies' interfaces from it). */
  plan?: Plan;
  /** Project knowledge for each task's prompt. */
  context?: ContextSource;
  /** Interfaces earlier tasks defined: recorded from reports, handed to later prompts. */
  registry?: InterfaceRegistry;
  /** Where agents' reported deviations from the documentation go. */
  deviations?: DeviationSink;
  /**
   * Holds tasks back while their provider's usage limit lasts: an attempt that hits the limit is
   * rolled back, not counted, and tried again once the gate opens. Absent: a usage limit fails
   * the task like any other non-retryable error.
   */
  usageLimitGate?: UsageLimitGate;
  /** Transient provider failures are retried after a rollback. @default one attempt */
  retryPolicy?: RetryPolicy;
  /** Secret values: redacted from agent output, results, errors and commit messages. */
  secretValues?: readonly string[];
  /** The jitter of retry waits. @default Math.random */
  random?: () => number;
  /** The project directory: check changes are read from its repository, secrets in commits are looked for there. */
  projectDir: string;
  /** The project directory relative to its repository root ('' or undefined at the root). */
  projectSubdirectory?: string;
  /** Whether the command policy lets a verify command run, and why; absent: every command runs. */
  commandDecision?: (command: VerifyCommand) => { isAllowed: boolean; reason: string };
  /** The project's test command as it was when the run started: a task's `npm test` runs it, not the script in the task's tree. */
  pinnedTestCommand?: PinnedTestCommand;
  /** Results of earlier tasks, by id (the "done before you" part of a prompt; speculation checks what they changed). */
  resultOf?: (taskId: string) => TaskResult | undefined;
  /**
   * The conflicted work a task is to bring onto the integration branch (a follow-up of a task
   * whose merge conflicted): its worktree starts with that work merged in, markers and all.
   */
  conflictToResolve?: (task: Task) => KeptConflict | undefined;
  /**
   * Keeps the task's state where a resumed run finds it. Awaited: the state is written before
   * the agent starts and before the result is handed on.
   */
  saveTaskState?: (taskId: string, change: TaskStateChange) => Promise<void>;
}
