import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ErrorCode } from '@qoder-orch/spec';
import { ProviderError } from '@qoder-orch/spec';
import type { AgentEvent, LLMProviderV1, CheckOptions, CheckResult, CompleteOptions, CompleteResult, RunTaskOptions, RunTaskResult } from '@qoder-orch/spec';
import type { Usage } from '@qoder-orch/spec';

/** One scripted answer of the mock. */
export type MockStep =
  | {
      type: 'success';
      /** For `doComplete`: the text answered. For `doRunTask`: the agent's summary. */
      text?: string;
      /** Files to write (content) or delete (`null`) in the task's cwd, as an agent would. */
      files?: Record<string, string | null>;
      /** Events to emit while "working". */
      events?: AgentEvent[];
      structuredOutput?: unknown;
      usage?: Usage;
      costUsd?: number;
      delayMs?: number;
    }
  | {
      type: 'error';
      code: ErrorCode;
      message?: string;
      retryAfterMs?: number;
      /** For `USAGE_LIMIT`: when the limit resets. */
      resetsAt?: Date;
      isRetryable?: boolean;
      usage?: Usage;
      costUsd?: number;
      delayMs?: number;
    }
  /** Never answers: only the timeout or the abort signal ends it. */
  | { type: 'hang' };

export type MockScript<O> = MockStep[] | ((options: O, callIndex: number) => MockStep | Promise<MockStep>);

export interface MockAgentProviderSettings {
  /** @default 'mock' */
  providerId?: string;
  /**
   * Answers for `doComplete`, in order (the last repeats when they run out), or a function.
   * Plain strings are success texts.
   */
  complete?: Array<MockStep | string> | ((options: CompleteOptions, callIndex: number) => MockStep | string | Promise<MockStep | string>);
  /** Answers for `doRunTask`: in order, per task id, or a function. @default success for every task */
  runTask?: MockScript<RunTaskOptions> | Record<string, MockStep[]>;
  /** What `doCheck` reports. @default installed and authenticated */
  check?: CheckResult;
}

export interface MockCalls {
  complete: CompleteOptions[];
  runTask: RunTaskOptions[];
  check: CheckOptions[];
}

const defaultUsage: Usage = { inputTokens: 100, outputTokens: 50 };

/**
 * A scripted LLMProviderV1 for unit tests and for users' own tests. Records every call; can
 * succeed (writing files like an agent), fail with any error code, delay, or hang. Honours
 * `timeoutMs` and `abortSignal` the way real providers do.
 */
export class MockAgentProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly calls: MockCalls = { complete: [], runTask: [], check: [] };
  readonly #settings: MockAgentProviderSettings;
  readonly #perTaskIndex = new Map<string, number>();
  #running = 0;
  #maxRunning = 0;

  constructor(settings: MockAgentProviderSettings = {}) {
    this.#settings = settings;
    this.providerId = settings.providerId ?? 'mock';
  }

  /** The most `doRunTask` calls that were in flight at once. */
  get maxConcurrentTasks(): number {
    return this.#maxRunning;
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const index = this.calls.complete.length;
    this.calls.complete.push(options);
    const script = this.#settings.complete;
    let step: MockStep | string;
    if (typeof script === 'function') step = await script(options, index);
    else if (script && script.length > 0) step = script[Math.min(index, script.length - 1)]!;
    else step = { type: 'error', code: 'BAD_OUTPUT', message: 'MockAgentProvider: no completion scripted' };
    const resolved: MockStep = typeof step === 'string' ? { type: 'success', text: step } : step;
    await this.#play(resolved, options);
    if (resolved.type !== 'success') throw new Error('unreachable');
    return {
      text: resolved.text ?? '',
      usage: resolved.usage ?? defaultUsage,
      ...(resolved.costUsd === undefined ? {} : { costUsd: resolved.costUsd }),
      ...(resolved.structuredOutput === undefined ? {} : { json: resolved.structuredOutput }),
    };
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const index = this.calls.runTask.length;
    this.calls.runTask.push(options);
    this.#running += 1;
    this.#maxRunning = Math.max(this.#maxRunning, this.#running);
    const startedAt = Date.now();
    try {
      const step = await this.#stepForTask(options, index);
      await this.#play(step, options);
      if (step.type !== 'success') throw new Error('unreachable');
      for (const event of step.events ?? []) options.onEvent?.(event);
      for (const [path, content] of Object.entries(step.files ?? {})) {
        const target = resolve(options.cwd, path);
        if (content === null) await rm(target, { force: true });
        else {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, content);
        }
      }
      return {
        summary: step.text ?? `Completed ${options.taskId}.`,
        usage: step.usage ?? defaultUsage,
        costUsd: step.costUsd ?? 0.001,
        sessionId: `mock-session-${index}`,
        numTurns: 1,
        durationMs: Date.now() - startedAt,
        ...(step.structuredOutput === undefined ? {} : { structuredOutput: step.structuredOutput }),
      };
    } finally {
      this.#running -= 1;
    }
  }

  async doCheck(options: CheckOptions): Promise<CheckResult> {
    this.calls.check.push(options);
    return this.#settings.check ?? { installed: true, version: 'mock', authenticated: true, problems: [] };
  }

  async #stepForTask(options: RunTaskOptions, index: number): Promise<MockStep> {
    const script = this.#settings.runTask;
    if (script === undefined) return { type: 'success' };
    if (typeof script === 'function') return script(options, index);
    if (Array.isArray(script)) return script.length === 0 ? { type: 'success' } : script[Math.min(index, script.length - 1)]!;
    const steps = script[options.taskId];
    if (!steps || steps.length === 0) return { type: 'success' };
    const taskIndex = this.#perTaskIndex.get(options.taskId) ?? 0;
    this.#perTaskIndex.set(options.taskId, taskIndex + 1);
    return steps[Math.min(taskIndex, steps.length - 1)]!;
  }

  async #play(step: MockStep, options: { timeoutMs?: number; abortSignal?: AbortSignal }): Promise<void> {
    const delayMs = step.type === 'hang' ? Number.POSITIVE_INFINITY : (step.delayMs ?? 0);
    if (delayMs > 0) await this.#wait(delayMs, options);
    if (step.type === 'error') {
      throw new ProviderError({
        providerId: this.providerId,
        code: step.code,
        message: step.message ?? `MockAgentProvider: scripted ${step.code}`,
        ...(step.retryAfterMs === undefined ? {} : { retryAfterMs: step.retryAfterMs }),
        ...(step.resetsAt === undefined ? {} : { resetsAt: step.resetsAt }),
        ...(step.isRetryable === undefined ? {} : { isRetryable: step.isRetryable }),
        ...(step.usage === undefined ? {} : { usage: step.usage }),
        ...(step.costUsd === undefined ? {} : { costUsd: step.costUsd }),
      });
    }
  }

  #wait(delayMs: number, options: { timeoutMs?: number; abortSignal?: AbortSignal }): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      const signal = options.abortSignal;
      if (signal?.aborted) {
        reject(this.#aborted());
        return;
      }
      const timers: NodeJS.Timeout[] = [];
      const cleanup = () => {
        for (const timer of timers) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        cleanup();
        reject(this.#aborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(delayMs)) timers.push(setTimeout(() => (cleanup(), resolvePromise()), delayMs));
      if (options.timeoutMs !== undefined && options.timeoutMs < delayMs) {
        timers.push(
          setTimeout(() => {
            cleanup();
            reject(
              new ProviderError({
                providerId: this.providerId,
                code: 'TIMEOUT',
                message: `MockAgentProvider: timed out after ${options.timeoutMs} ms`,
                isTimedOut: true,
              }),
            );
          }, options.timeoutMs),
        );
      }
    });
  }

  #aborted(): ProviderError {
    return new ProviderError({ providerId: this.providerId, code: 'ABORTED', message: 'MockAgentProvider: aborted', isCanceled: true, isRetryable: false });
  }
}
