import type { OrchestratorError, ProviderError } from '@qoder-orch/spec';
import type { EventRecorder } from '../run/event-recorder';
import type { TaskResult } from '@qoder-orch/spec';
import { describeAgentEvent } from './agent-output';
import type { TaskPipelineEvents } from './pipeline-events';
import type { TaskPipeline } from './task-pipeline';

/** What the run does with a pipeline's events beyond recording them. */
export interface PipelineRunHooks {
  /** A task finished (its `task-end` is the caller's to record, with whatever else a result means to the run). */
  onFinish: (result: TaskResult) => void;
  onRateLimit?: (error: ProviderError) => void;
  /** A task completed: concurrency may grow again. */
  onSuccess?: () => void;
  onSpend?: (costUsd: number) => void;
  appendTranscript?: (taskId: string, line: string) => void;
  onSpeculationWasted?: (ms: number) => void;
  /** The executor cannot go on: stop the run, resumable. */
  onStopRun?: (error: OrchestratorError) => void;
}

/**
 * Maps a pipeline's events onto the run's persisted events, under the names and payloads the
 * event log has always had: `attempt` → `task-start`, `output` → `task-output` (per task, and
 * a transcript line), `retry` → `task-retry`, `checkpoint` → `checkpoint-end`, `rollback` →
 * `rollback-end`, `verify` → `verify-end`, `merge` → `merge-end`; evidence and warnings keep
 * their names. Returns a function that stops listening.
 */
export function recordPipelineEvents(pipeline: TaskPipeline, events: Pick<EventRecorder, 'emit'>, hooks: PipelineRunHooks): () => void {
  const listeners = {
    attempt: (event) => events.emit('task-start', event),
    checkpoint: (event) => events.emit('checkpoint-end', event),
    output: ({ taskIds, transcriptId, event }) => {
      for (const taskId of taskIds) events.emit('task-output', { taskId, event });
      hooks.appendTranscript?.(transcriptId, describeAgentEvent(event));
    },
    retry: (event) => events.emit('task-retry', event),
    rollback: (event) => events.emit('rollback-end', event),
    'rate-limit': ({ error }) => hooks.onRateLimit?.(error),
    spend: ({ costUsd }) => hooks.onSpend?.(costUsd),
    verify: (event) => events.emit('verify-end', event),
    merge: (event) => events.emit('merge-end', event),
    'check-change': (event) => events.emit('check-change', event),
    'undeclared-change': (event) => events.emit('undeclared-change', event),
    'conflict-kept': (event) => events.emit('conflict-kept', event),
    'speculation-discarded': ({ wastedMs }) => hooks.onSpeculationWasted?.(wastedMs),
    'task-finish': ({ result }) => {
      if (result.status === 'completed') hooks.onSuccess?.();
      hooks.onFinish(result);
    },
    warning: (event) => events.emit('warning', event),
    'stop-run': ({ error }) => hooks.onStopRun?.(error),
  } satisfies { [K in keyof TaskPipelineEvents]?: (...args: TaskPipelineEvents[K]) => void };
  for (const [name, listener] of Object.entries(listeners)) pipeline.on(name as 'warning', listener as () => void);
  return () => {
    for (const [name, listener] of Object.entries(listeners)) pipeline.off(name as 'warning', listener as () => void);
  };
}
