import type { EventEmitter } from 'eventemitter3';
import type { PreparedTask } from '../git/task-workspace';
import type { TaskPromptInput } from '../orchestrator/task-prompt';
import type { RetryPolicy } from '../shared/retry-policy';
import type { Task } from '@qoder-orch/spec';
import type { TaskResult } from '@qoder-orch/spec';
import type { AgentEvent, LLMProviderV1, RunTaskOptions } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import { redactEvent } from './agent-output';
import type { TaskIdentity, TaskPipelineEvents } from './pipeline-events';
import type { TaskPipelineOptions, TaskStateChange } from './pipeline-options';

export type ResolvedPipelineOptions = TaskPipelineOptions & Required<Pick<TaskPipelineOptions, 'runId' | 'iteration' | 'retryPolicy' | 'secretValues' | 'random' | 'providers' | 'subagents'>>;

const SINGLE_ATTEMPT: RetryPolicy = { maxAttempts: 1, backoffFactor: 2, initialDelayMs: 1000, maxDelayMs: 30_000 };

export function resolveOptions(options: TaskPipelineOptions): ResolvedPipelineOptions {
  return {
    ...options,
    runId: options.runId ?? 'pipeline',
    iteration: options.iteration ?? 1,
    retryPolicy: options.retryPolicy ?? SINGLE_ATTEMPT,
    secretValues: options.secretValues ?? [],
    random: options.random ?? Math.random,
    providers: options.providers ?? {},
    subagents: options.subagents ?? new Map(),
  };
}

type CallOptions = Pick<RunTaskOptions, 'permissionMode' | 'systemPrompt' | 'allowedTools' | 'disallowedTools' | 'maxTurns' | 'model'>;

/**
 * The steps every way of running a task shares (single, batch, speculative): the agent and
 * its call options, the workspace and checkpoint, the prompt's inputs, the relay of the
 * agent's output, spend and state. The variations differ in how they sequence these, not in
 * what a step does.
 */
export class PipelineSteps {
  constructor(
    readonly options: ResolvedPipelineOptions,
    readonly events: EventEmitter<TaskPipelineEvents>,
  ) {}

  /** The subagent of a task, the provider that runs it, and the call options every run of it shares. */
  agentFor(agentName: string, { isTurnLimited = true }: { isTurnLimited?: boolean } = {}): { subagent: SubagentDefinition | undefined; provider: LLMProviderV1; callOptions: CallOptions } {
    const subagent = this.options.subagents.get(agentName);
    const provider = (subagent?.provider ? this.options.providers[subagent.provider] : undefined) ?? this.options.provider;
    const model = subagent?.model ?? this.options.config.llm.model;
    const callOptions: CallOptions = {
      permissionMode: subagent?.permissionMode ?? 'acceptEdits',
      ...(subagent?.systemPrompt ? { systemPrompt: subagent.systemPrompt } : {}),
      ...(subagent?.tools ? { allowedTools: subagent.tools } : {}),
      ...(subagent?.disallowedTools ? { disallowedTools: subagent.disallowedTools } : {}),
      ...(subagent?.maxTurns && isTurnLimited ? { maxTurns: subagent.maxTurns } : {}),
      ...(model ? { model } : {}),
    };
    return { subagent, provider, callOptions };
  }

  identity(task: Task, slot: number, isSpeculative = false): TaskIdentity {
    return { taskId: task.id, title: task.title, agent: task.agent, slot, iteration: this.options.iteration, ...(isSpeculative ? { isSpeculative } : {}) };
  }

  async saveState(taskId: string, change: TaskStateChange): Promise<void> {
    await this.options.saveTaskState?.(taskId, change);
  }

  /** Prepares the task's place (checkpoint, worktree), records it as running and announces the attempt. */
  async begin(task: Task, input: { attempt: number; slot: number; abortSignal: AbortSignal; mergeBranch?: string; isSpeculative?: boolean }): Promise<PreparedTask> {
    const prepared = await this.options.workspace.prepare(task, {
      runId: this.options.runId,
      attempt: input.attempt,
      slot: input.slot,
      abortSignal: input.abortSignal,
      ...(input.mergeBranch ? { mergeBranch: input.mergeBranch } : {}),
    });
    if (prepared.checkpoint && prepared.checkpointRef) this.events.emit('checkpoint', { taskId: task.id, checkpoint: prepared.checkpoint, ref: prepared.checkpointRef });
    await this.saveState(task.id, {
      status: 'running',
      attempts: input.attempt,
      ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}),
      ...(prepared.worktree ? { worktree: prepared.worktree } : {}),
    });
    this.events.emit('attempt', { ...this.identity(task, input.slot, input.isSpeculative), attempt: input.attempt, cwd: prepared.cwd });
    return prepared;
  }

  /** What the prompt says about a task besides the task itself: dependencies' results, project knowledge, interfaces. */
  async promptInput(task: Task, input: { tokenBudget: number; subagent: SubagentDefinition | undefined; abortSignal: AbortSignal; isSpeculative?: boolean }): Promise<{ prompt: TaskPromptInput; contextVersion: string | undefined }> {
    const { options } = this;
    const taskContext = options.context ? await options.context.contextFor(task, { tokenBudget: input.tokenBudget, ...(input.subagent ? { subagent: input.subagent } : {}), abortSignal: input.abortSignal }) : undefined;
    // Speculative work runs before its dependencies have results or interfaces to show.
    const interfaces = options.registry && options.plan && !input.isSpeculative ? await options.registry.forTask(task, options.plan) : '';
    const dependencies = input.isSpeculative ? [] : task.dependsOn.map((id) => options.resultOf?.(id)).filter((result): result is TaskResult => result !== undefined);
    return {
      prompt: {
        objective: options.objective,
        task,
        dependencies,
        ...(taskContext?.text ? { context: taskContext.text } : {}),
        ...(interfaces ? { interfaces } : {}),
        ...(input.isSpeculative ? { pendingDependencies: task.dependsOn } : {}),
      },
      contextVersion: taskContext?.version,
    };
  }

  /** Relays an agent's events, redacted, as `output` of the tasks it works on. */
  relay(taskIds: readonly string[], transcriptId: string, observe?: (event: AgentEvent) => void): (event: AgentEvent) => void {
    return (event) => {
      observe?.(event);
      this.events.emit('output', { taskIds: [...taskIds], transcriptId, event: redactEvent(event, this.options.secretValues) });
    };
  }

  spend(taskIds: readonly string[], costUsd: number): void {
    this.events.emit('spend', { taskIds: [...taskIds], costUsd });
  }

  timeoutMs(tasks = 1): number {
    return this.options.config.execution.taskTimeout * 1000 * tasks;
  }
}
