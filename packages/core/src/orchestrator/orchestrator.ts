import { join, resolve } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { Config } from '../config/config-schema';
import { resolveConfig } from '../config/load-config';
import { readProjectCommands } from '../commands/project-commands';
import { screenPlanCommands } from '../commands/screen-plan-commands';
import { stat } from 'node:fs/promises';
import { OrchestratorError } from '@qoder-orch/spec';
import type { OrchestratorListeners } from '../events/event-map';
import { ensurePrivateDirectoryExcluded, type RepositoryPaths, workTreePaths } from '../git/repository';
import type { TaskWorkspace } from '../git/task-workspace';
import { resolveUserPath } from '../git/worktree-location';
import { createEvidenceJudge } from '../judge/evidence-judge';
import { beginRun } from '../run/begin-run';
import { decideStep } from '../run/decide-step';
import { endRun } from '../run/end-run';
import { executeStep } from '../run/execute-step';
import { judgeStep } from '../run/judge-step';
import { openRun } from '../run/open-run';
import { createPlanner, plannerContext, planStep } from '../run/plan-step';
import type { PlanOutcome } from '../planner/planner';
import type { RunEnding, RunSetup } from '../run/run-context';
import { commandPolicyOf, provisionSettingsOf } from '../run/run-policies';
import { RunStopped } from '../run/run-stopped';
import { FileRunStore } from '../run-store/file-run-store';
import type { RunState } from '../run-store/run-state';
import type { RunStore } from '../run-store/run-store';
import type { Plan } from '@qoder-orch/spec';
import type { RunSummary } from '@qoder-orch/spec';
import { createRunRedactor } from '../secrets/run-secrets';
import type { SecretRedactor } from '@qoder-orch/spec';
import { loadSubagents } from '../subagents/load-subagents';
import type { SubagentDefinition } from '@qoder-orch/spec';
import { createDirectoryWorkspace } from '../workspace/directory-workspace';
import { createGitWorkspace } from '../workspace/git-workspace';
import { EventRecorder } from '../run/event-recorder';
import type { OrchestratorOptions, RunOptions } from './orchestrator-options';
import { listProjectFiles } from '../run/project-files';
import { createRunId } from './run-id';
import { buildRunSummary, taskProviderOf } from '../run/run-summary';
import { stopForUsageLimit } from '../run/usage-limits';

/**
 * The engine: preflight → context refresh → plan (validated DAG) → parallel execution
 * (critical path first, file locks, checkpoints, retries) → contract check → judge on
 * evidence → follow-up iterations, until the objective is met, the iterations run out, or
 * an iteration makes no progress. Emits a typed event for every step and keeps the run
 * resumable in its RunStore.
 *
 * ```ts
 * const orchestrator = createOrchestrator({ projectDir, provider: createClaudeCli() });
 * orchestrator.on('task-end', (event) => console.log(event.taskId, event.result.status));
 * const summary = await orchestrator.run('Add user authentication with JWT tokens');
 * ```
 */
export class Orchestrator extends EventEmitter<OrchestratorListeners> {
  readonly #options: OrchestratorOptions;
  readonly #projectDir: string;
  readonly #config: Config;
  readonly #store: RunStore;
  #workspace: TaskWorkspace | undefined;
  #repositoryPaths: Promise<RepositoryPaths | undefined> | undefined;
  #runId: string;
  #subagents: readonly SubagentDefinition[] | undefined;
  #isBusy = false;
  readonly #setup: RunSetup;

  constructor(options: OrchestratorOptions) {
    super();
    this.#options = options;
    this.#projectDir = resolve(options.projectDir);
    this.#config = resolveConfig(options.config ?? {});
    this.#store = options.runStore ?? new FileRunStore({ directory: join(this.#projectDir, '.qoder-orch', 'runs') });
    this.#workspace = options.workspace;
    this.#runId = options.runId ?? createRunId();
    this.#setup = {
      options,
      projectDir: this.#projectDir,
      config: this.#config,
      runStore: this.#store,
      judgeProviderId: options.judge ? 'judge' : (options.judgeProvider ?? options.provider).providerId,
      judge:
        options.judge ??
        createEvidenceJudge({
          provider: options.judgeProvider ?? options.provider,
          timeoutMs: this.#config.llm.timeout * 1000,
          cwd: this.#projectDir,
          ...(this.#config.llm.model === undefined || options.judgeProvider ? {} : { model: this.#config.llm.model }),
        }),
      repository: () => this.#repository(),
      resolveWorkspace: () => this.#resolveWorkspace(),
      loadSubagents: () => this.#loadSubagents(),
    };
  }

  /** The id of the current (or last) run. */
  get runId(): string {
    return this.#runId;
  }

  /** The resolved configuration. */
  get config(): Config {
    return this.#config;
  }

  get runStore(): RunStore {
    return this.#store;
  }

  /** The project's repository, looked up once (undefined when the project is not in one). */
  #repository(): Promise<RepositoryPaths | undefined> {
    this.#repositoryPaths ??= workTreePaths(this.#projectDir);
    return this.#repositoryPaths;
  }

  /** The workspace given, else git checkpoints (and worktrees when tasks run in parallel) in a repository, else the plain directory. */
  async #resolveWorkspace(): Promise<TaskWorkspace> {
    if (this.#workspace) return this.#workspace;
    const execution = this.#config.execution;
    if (await this.#repository()) {
      const isolation = execution.isolation === 'auto' ? (execution.maxParallel > 1 ? 'worktree' : 'shared') : execution.isolation;
      this.#workspace = createGitWorkspace({
        projectDir: this.#projectDir,
        isolation,
        createCheckpoints: this.#config.rollback.enabled && this.#config.rollback.createCheckpoints,
        ...(execution.worktreeRoot === undefined ? {} : { worktreeRoot: resolveUserPath(execution.worktreeRoot, this.#projectDir) }),
        provision: provisionSettingsOf(this.#config),
      });
    } else {
      this.#workspace = createDirectoryWorkspace({ projectDir: this.#projectDir });
    }
    return this.#workspace;
  }

  async #loadSubagents(): Promise<readonly SubagentDefinition[]> {
    this.#subagents ??= this.#options.subagents ?? (await loadSubagents(this.#projectDir));
    return this.#subagents;
  }

  /** The secret values of the process, the project's dotenv files and the options, as one redactor. */
  #createRedactor(): SecretRedactor {
    return createRunRedactor({ projectDir: this.#projectDir, ...(this.#options.secretValues ? { extra: this.#options.secretValues } : {}) });
  }

  /** A project folder that is not there is a misuse: never create it, never run in the repository around it. */
  async #requireProjectDirectory(): Promise<void> {
    const found = await stat(this.#projectDir).catch(() => undefined);
    if (found?.isDirectory() === true) return;
    throw new OrchestratorError({
      code: 'CONFIG_INVALID',
      message: `The project directory ${this.#projectDir} ${found === undefined ? 'does not exist' : 'is not a directory'}.`,
      fix: 'Pass the folder of an existing project as projectDir (--project-dir).',
    });
  }

  /** Plans only: returns the validated plan and changes nothing in the project or the run store. */
  async plan(objective: string, options: { abortSignal?: AbortSignal } = {}): Promise<Plan> {
    await this.#requireProjectDirectory();
    const subagents = await this.#loadSubagents();
    const planner = createPlanner(this.#setup, subagents);
    // The planning call's provider starts beside the context refresh (see `Planner.warmUp`).
    const warmUp = planner.warmUp();
    const redactor = this.#createRedactor();
    // Listeners see plan-start / plan-end as in a run; nothing is written anywhere.
    const events = new EventRecorder(this, { appendEvent: async () => {} }, this.#runId, 0, redactor);
    let outcome: PlanOutcome;
    try {
      // The context index is cached in the project's private folder: keep it out of git status,
      // or a later run (or --validate-only) would find the tree dirty.
      const repository = await this.#repository();
      if (repository) await ensurePrivateDirectoryExcluded(repository.commonDir);
      if (this.#options.context) await this.#options.context.refresh(options.abortSignal ? { abortSignal: options.abortSignal } : {});
      const context = await plannerContext(this.#setup, objective);
      events.emit('plan-start', { iteration: 1, attempt: 1, timeoutMs: this.#config.llm.timeout * 1000 });
      events.recordPlanner(planner, 1);
      outcome = await planner.plan({
        objective,
        projectFiles: await listProjectFiles(this.#projectDir),
        ...(context === undefined ? {} : { context }),
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
    } finally {
      warmUp.cancel();
    }
    const plan = redactor.value(outcome.plan);
    const reviews = await screenPlanCommands({ plan, iteration: 1, projectDir: this.#projectDir, project: readProjectCommands(this.#projectDir), policy: commandPolicyOf(this.#config) });
    if (reviews.length > 0) events.emit('plan-commands', { iteration: 1, commands: reviews });
    return plan;
  }

  /** Runs an objective to its end. Resolves with the summary; rejects only on a misuse (a run already in progress). */
  async run(objective: string, options: RunOptions = {}): Promise<RunSummary> {
    if (typeof objective !== 'string' || objective.trim() === '') {
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'The objective is empty.', fix: 'Describe what should be built, e.g. "Add user authentication with JWT tokens".' });
    }
    // The process runner agents and checks start through, loaded while preflight and the workspace wait on git.
    void import('execa').catch(() => undefined);
    const now = new Date().toISOString();
    const state: RunState = {
      version: 1,
      runId: this.#runId,
      objective,
      projectDir: this.#projectDir,
      status: 'running',
      startedAt: now,
      updatedAt: now,
      iteration: 0,
      plans: [],
      tasks: {},
      verdicts: [],
      overheadUsage: { inputTokens: 0, outputTokens: 0 },
      overheadCostUsd: 0,
      lastSeq: 0,
      commandReviews: [],
    };
    return this.#drive(state, options, false);
  }

  /**
   * Continues an interrupted run (Ctrl-C, crash, `kill -9`) from its stored state: finished
   * tasks are not run again; tasks that were running are rolled back to their checkpoint and
   * run again.
   */
  async resume(runId: string, options: RunOptions = {}): Promise<RunSummary> {
    const state = await this.#store.readState(runId);
    if (!state) {
      throw new OrchestratorError({ code: 'RUN_NOT_FOUND', message: `No run ${runId} in ${this.#projectDir}.`, fix: 'List runs with `qoder-orchestrate runs` and pass one of their ids.' });
    }
    if (state.status === 'met') {
      return buildRunSummary(state, { stopReason: 'met', endedAt: state.updatedAt, taskProviderOf: taskProviderOf(this.#options, await this.#loadSubagents()) });
    }
    this.#runId = state.runId;
    const events = await this.#store.readEvents(runId);
    state.lastSeq = Math.max(state.lastSeq, ...events.map((event) => event.seq));
    state.status = 'running';
    return this.#drive(state, options, true);
  }

  /**
   * One session of a run, as its lifecycle: begin → loop { plan → execute → judge → decide }
   * → end. A step ends the run by returning an ending or throwing (RunStopped, an error, an abort).
   */
  async #drive(state: RunState, options: RunOptions, isResume: boolean): Promise<RunSummary> {
    if (this.#isBusy) throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'This orchestrator is already running; create another one for a parallel run.' });
    await this.#requireProjectDirectory();
    this.#isBusy = true;
    // Secrets of the process and of the project's dotenv files (an agent may read and echo
    // them), built once: every event, stored file and committed record of the run passes through it.
    const { run, close } = openRun(this.#setup, this, this.#createRedactor(), state, options, isResume);
    let ending: RunEnding;
    try {
      await beginRun(run);
      for (;;) {
        const planned = await planStep(run);
        if ('stopReason' in planned) {
          ending = planned;
          break;
        }
        const executed = await executeStep(run, planned.plan, planned.tasksToRun);
        const judged = await judgeStep(run, planned.plan);
        const decided = await decideStep(run, executed, judged);
        if (decided) {
          ending = decided;
          break;
        }
      }
    } catch (error) {
      if (error instanceof RunStopped) ending = { stopReason: error.reason, ...(error.error === undefined ? {} : { error: error.error }) };
      else if (stopForUsageLimit(run, error)) ending = { stopReason: 'usage-limit' };
      else if (run.signal.aborted && !run.isBudgetExceeded) ending = { stopReason: 'cancelled', ...(run.stopError === undefined ? {} : { error: run.stopError }) };
      else if (run.isBudgetExceeded) ending = { stopReason: 'budget' };
      else ending = { stopReason: 'error', error };
      // Stopped by `onUsageLimit: 'exit'`: resumable, with the pause in the state.
      if (run.usageLimitStop && ending.stopReason === 'cancelled') ending = { stopReason: 'usage-limit' };
    } finally {
      close();
    }
    const summary = await endRun(run, ending);
    this.#isBusy = false;
    return summary;
  }
}

/** Creates an {@link Orchestrator}. */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  return new Orchestrator(options);
}
