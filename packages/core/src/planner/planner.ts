import { PlanError, type PlanIssue } from '@qoder-orch/spec';
import { OrchestratorError } from '@qoder-orch/spec';
import { z } from 'zod';
import { MAX_PLAN_TASKS, type Plan, PlanSchema } from '@qoder-orch/spec';
import type { LLMProviderV1, WarmUp, WarmUpOptions } from '@qoder-orch/spec';
import { addUsage, emptyUsage, type Usage } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { RetryPolicy } from '../shared/retry-policy';
import { TypedEmitter } from '../shared/typed-emitter';
import { withRetry } from '../shared/with-retry';
import { extractJson } from '@qoder-orch/spec';
import { buildPlanPrompt, buildRepairPrompt } from './plan-prompt';
import { validatePlan } from './validate-plan';

export interface PlannerOptions {
  provider: LLMProviderV1;
  subagents: readonly SubagentDefinition[];
  /** Answers asked for in total, the first included, before a PlanError. @default 3 */
  maxAttempts?: number;
  /** Retries of a provider call that failed transiently (rate limit, overload). */
  retryPolicy?: RetryPolicy;
  /** Per model call, ms. @default 300000 */
  timeoutMs?: number;
  model?: string;
  /** Where the provider runs (the project). */
  cwd?: string;
}

export interface PlanRequest {
  objective: string;
  context?: string;
  projectFiles?: readonly string[];
  abortSignal?: AbortSignal;
}

/** What a Planner reports while it plans, by event name. */
export interface PlannerEvents {
  /** Before each model call: the first answer is attempt 1, each repair the next. */
  attempt: { attempt: number; timeoutMs: number };
  /** A provider call failed transiently (rate limit, timeout, overload) and is made again after `delayMs`. */
  retry: { attempt: number; delayMs: number; error: unknown };
  /** The answer was unusable: the model is asked again with these problems. */
  repair: { attempt: number; issues: readonly PlanIssue[] };
  /** A valid plan, as returned. */
  plan: PlanOutcome;
}

export interface PlanOutcome {
  plan: Plan;
  attempts: number;
  usage: Usage;
  costUsd: number;
}

let cachedPlanJsonSchema: Record<string, unknown> | undefined;

/**
 * The JSON Schema of a plan answer, for providers that can enforce structured output (the
 * objective may be left out: the planner fills it in). Like the judge's verdict schema.
 */
export function planJsonSchema(): Record<string, unknown> {
  cachedPlanJsonSchema ??= z.toJSONSchema(PlanSchema.partial({ objective: true }), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return cachedPlanJsonSchema;
}

const NO_RETRY: RetryPolicy = { maxAttempts: 1, backoffFactor: 2, initialDelayMs: 0, maxDelayMs: 0 };

/**
 * Asks the provider for a plan, extracts it from fenced or chatty output, validates it, and on
 * failure asks again with the exact problems, a bounded number of times. Then a PlanError
 * listing every problem of the last answer. Reports each step as an event.
 *
 * ```ts
 * const planner = new Planner({ provider, subagents: builtinSubagents() });
 * planner.on('repair', ({ attempt, issues }) => console.log(attempt, issues.length));
 * const { plan } = await planner.plan({ objective: 'Add a /health endpoint' });
 * ```
 */
export class Planner extends TypedEmitter<PlannerEvents> {
  readonly #options: PlannerOptions;

  constructor(options: PlannerOptions) {
    super();
    this.#options = options;
  }

  /**
   * Lets the provider start what the planning call needs before its prompt is known (see
   * `LLMProviderV1.doWarmUp`): an agent CLI's start-up then goes on while the run reads the
   * project, refreshes its context and lists files. The next `plan` takes it; `cancel()` ends
   * one nobody took. A provider without warm-ups does nothing.
   */
  warmUp(): WarmUp {
    return this.#options.provider.doWarmUp?.(this.#callOptions()) ?? { cancel: () => undefined };
  }

  /** The planning call's options but its prompt and signal: the same for the warm-up and every attempt. */
  #callOptions(): WarmUpOptions {
    return {
      purpose: 'plan',
      jsonSchema: planJsonSchema(),
      timeoutMs: this.#options.timeoutMs ?? 300_000,
      ...(this.#options.model === undefined ? {} : { model: this.#options.model }),
      ...(this.#options.cwd === undefined ? {} : { cwd: this.#options.cwd }),
    };
  }

  async plan(request: PlanRequest): Promise<PlanOutcome> {
    const { provider, subagents } = this.#options;
    const maxAttempts = this.#options.maxAttempts ?? 3;
    const basePrompt = buildPlanPrompt({
      objective: request.objective,
      subagents,
      maxTasks: MAX_PLAN_TASKS,
      ...(request.context === undefined ? {} : { context: request.context }),
      ...(request.projectFiles === undefined ? {} : { projectFiles: request.projectFiles }),
    });
    let prompt = basePrompt;
    let usage = emptyUsage();
    let costUsd = 0;
    let issues: PlanIssue[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (request.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'Planning was aborted.' });
      const timeoutMs = this.#options.timeoutMs ?? 300_000;
      this.emit('attempt', { attempt, timeoutMs });
      const completion = await withRetry(
        () =>
          provider.doComplete({
            prompt,
            ...this.#callOptions(),
            ...(request.abortSignal === undefined ? {} : { abortSignal: request.abortSignal }),
          }),
        {
          policy: this.#options.retryPolicy ?? NO_RETRY,
          ...(request.abortSignal === undefined ? {} : { abortSignal: request.abortSignal }),
          onRetry: ({ delayMs, error }) => this.emit('retry', { attempt, delayMs, error }),
        },
      );
      usage = addUsage(usage, completion.usage);
      costUsd += completion.costUsd ?? 0;
      const extracted = completion.json !== undefined ? { value: completion.json } : extractJson(completion.text);
      if ('problem' in extracted) {
        issues = [{ kind: extracted.problem, path: '(answer)', message: extracted.message }];
      } else {
        const validated = validatePlan(extracted.value, { objective: request.objective, agents: subagents.map((subagent) => subagent.name), ...(this.#options.cwd === undefined ? {} : { projectDir: this.#options.cwd }) });
        if ('plan' in validated) {
          const outcome = { plan: { ...validated.plan, objective: request.objective }, attempts: attempt, usage, costUsd };
          this.emit('plan', outcome);
          return outcome;
        }
        issues = validated.issues;
      }
      if (attempt < maxAttempts) this.emit('repair', { attempt, issues });
      prompt = buildRepairPrompt(basePrompt, issues);
    }
    throw new PlanError(issues, maxAttempts);
  }
}
