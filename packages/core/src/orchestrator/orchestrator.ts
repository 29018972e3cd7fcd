import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../run-store/atomic-write';
import { EventEmitter } from 'eventemitter3';
import type { Config } from '../config/config-schema';
import { resolveConfig } from '../config/load-config';
import { type ContractReport, ContractReportSchema } from '../contracts/contract-report';
import { OrchestratorError, serializeError } from '../errors/orchestrator-error';
import type { ProviderError } from '../errors/provider-error';
import type { OrchestratorListeners } from '../events/event-map';
import type { TaskWorkspace } from '../git/task-workspace';
import { createEvidenceJudge } from '../judge/evidence-judge';
import { latestResults } from '../judge/evidence-rules';
import { isNamedFor } from '../judge/follow-up-tasks';
import { detectCheckChanges } from '../judge/check-changes';
import { conflictChangeLanded } from '../workspace/conflict-landed';
import type { KeptConflict } from '../schemas/kept-conflict';
import type { Judge } from '../judge/judge';
import { createRunRedactor } from '../secrets/run-secrets';
import type { SecretRedactor } from '../secrets/secret-redactor';
import { redactJson } from '../judge/redact-output';
import { redactingRunStore } from '../run-store/redacting-run-store';
import { collectProjectChecks } from '../judge/run-verification';
import { pinTestCommand } from '../judge/detect-test-command';
import { touchesApiSurface } from '../contracts/contract-relevance';
import { Planner, type PlanRequest } from '../planner/planner';
import { validatePlan } from '../planner/validate-plan';
import { FileRunStore } from '../run-store/file-run-store';
import type { RunState } from '../run-store/run-state';
import type { RunStore } from '../run-store/run-store';
import type { Plan } from '../schemas/plan';
import type { RunSummary, StopReason } from '../schemas/run-summary';
import type { Task, VerifyCommand } from '../schemas/task';
import { type TaskResult, TaskResultSchema, type VerificationResult } from '../schemas/task-result';
import { Scheduler } from '../scheduler/scheduler';
import { createDurationHistory, type DurationHistory } from '../scheduler/duration-history';
import { addUsage } from '../spec/usage';
import { loadSubagents } from '../subagents/load-subagents';
import type { SubagentDefinition } from '../subagents/subagent-schema';
import { createDirectoryWorkspace } from '../workspace/directory-workspace';
import { createGitWorkspace } from '../workspace/git-workspace';
import { resolveUserPath } from '../git/worktree-location';
import { ensurePrivateDirectoryExcluded, isGitRepository, type RepositoryPaths, repositoryPaths } from '../git/repository';
import { EventRecorder } from './event-recorder';
import { classifyCommand, type CommandPolicy } from '../commands/command-policy';
import { commandKey } from '../commands/command-review';
import { type ProjectCommands, readProjectCommands } from '../commands/project-commands';
import { screenPlanCommands, verifyArgv } from '../commands/screen-plan-commands';
import type { OrchestratorOptions, RunOptions } from './orchestrator-options';
import { listProjectFiles } from './project-files';
import type { RetryPolicy } from './retry-policy';
import { createRunId } from './run-id';
import { buildRunSummary } from './run-summary';
import { recordPipelineEvents } from '../pipeline/record-pipeline-events';
import { TaskPipeline } from '../pipeline/task-pipeline';

const PLANNER_CONTEXT_CHARS = 12_000;

class RunStopped extends Error {
  constructor(readonly reason: StopReason, readonly error?: unknown) {
    super(reason);
  }
}

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
  readonly #judge: Judge;
  #runId: string;
  #subagents: readonly SubagentDefinition[] | undefined;
  #isBusy = false;

  constructor(options: OrchestratorOptions) {
    super();
    this.#options = options;
    this.#projectDir = resolve(options.projectDir);
    this.#config = resolveConfig(options.config ?? {});
    this.#store = options.runStore ?? new FileRunStore({ directory: join(this.#projectDir, '.qoder-orch', 'runs') });
    this.#workspace = options.workspace;
    this.#judge =
      options.judge ??
      createEvidenceJudge({
        provider: options.provider,
        timeoutMs: this.#config.llm.timeout * 1000,
        cwd: this.#projectDir,
        ...(this.#config.llm.model === undefined ? {} : { model: this.#config.llm.model }),
      });
    this.#runId = options.runId ?? createRunId();
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
    this.#repositoryPaths ??= isGitRepository(this.#projectDir).then((isRepository) => (isRepository ? repositoryPaths(this.#projectDir) : undefined));
    return this.#repositoryPaths;
  }

  /** The workspace given, else git checkpoints (and worktrees when tasks run in parallel) in a repository, else the plain directory. */
  async #resolveWorkspace(): Promise<TaskWorkspace> {
    if (this.#workspace) return this.#workspace;
    const execution = this.#config.execution;
    if (await this.#repository()) {
      const isolation = execution.isolation === 'auto' ? (execution.max_parallel > 1 ? 'worktree' : 'shared') : execution.isolation;
      this.#workspace = createGitWorkspace({
        projectDir: this.#projectDir,
        isolation,
        createCheckpoints: this.#config.rollback.enabled && this.#config.rollback.create_checkpoints,
        ...(execution.worktree_root === undefined ? {} : { worktreeRoot: resolveUserPath(execution.worktree_root, this.#projectDir) }),
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

  get #retryPolicy(): RetryPolicy {
    const retry = this.#config.retry;
    return { maxAttempts: retry.max_attempts, backoffFactor: retry.backoff_factor, initialDelayMs: retry.initial_delay_ms, maxDelayMs: retry.max_delay_ms };
  }

  get #commandPolicy(): CommandPolicy {
    const policy = this.#config.validation.command_policy;
    return { mode: policy.mode, allow: policy.allow };
  }

  /**
   * Screens a plan's verify commands with the command policy (asking the user when the mode
   * says so), remembers the decisions in the run state and shows them before anything runs.
   */
  async #screenCommands(plan: Plan, iteration: number, state: RunState, events: EventRecorder, options: RunOptions, ownCommands: readonly (readonly string[])[] = []): Promise<void> {
    state.commandReviews ??= [];
    const known = new Map(state.commandReviews.map((review) => [commandKey(review.command, review.cwd), review]));
    // Commands the orchestrator itself wrote (the contract check it attached to a follow-up) are
    // its own, exactly as written: they run without asking. Any other argument vector is screened.
    for (const command of ownCommands) {
      const key = commandKey(command, undefined);
      if (!known.has(key)) known.set(key, { taskId: '', command: [...command], classification: 'allowed', isAllowed: true, reason: "the orchestrator's own check" });
    }
    const reviews = await screenPlanCommands({
      plan,
      iteration,
      projectDir: this.#projectDir,
      project: this.#projectCommands(state),
      policy: this.#commandPolicy,
      known,
      ...(options.approveCommands === undefined ? {} : { approveCommands: options.approveCommands }),
    });
    for (const review of reviews) {
      const key = commandKey(review.command, review.cwd);
      if (!known.has(key)) {
        known.set(key, review);
        state.commandReviews.push(review);
      }
    }
    if (reviews.length > 0) events.emit('plan-commands', { iteration, commands: reviews });
  }

  /** The secret values of the process, the project's dotenv files and the options, as one redactor. */
  #createRedactor(): SecretRedactor {
    return createRunRedactor({ projectDir: this.#projectDir, ...(this.#options.secretValues ? { extra: this.#options.secretValues } : {}) });
  }

  /** What the project offers to run, read once per run (before any agent can change it) and kept in its state. */
  #projectCommands(state: RunState): ProjectCommands {
    state.projectCommands ??= readProjectCommands(this.#projectDir);
    return state.projectCommands;
  }

  /** What the runner asks before a verify command runs: the recorded decision, else the policy without asking. */
  #commandDecision(state: RunState): (command: VerifyCommand) => { isAllowed: boolean; reason: string } {
    return (command) => {
      const { argv, cwd } = verifyArgv(command);
      const review = state.commandReviews?.find((candidate) => commandKey(candidate.command, candidate.cwd) === commandKey(argv, cwd));
      if (review) return review;
      const verdict = classifyCommand({ argv, ...(cwd === undefined ? {} : { cwd }), projectDir: this.#projectDir, project: this.#projectCommands(state), policy: this.#commandPolicy });
      return { isAllowed: verdict.classification === 'allowed', reason: verdict.reason };
    };
  }

  async #plannerContext(objective: string): Promise<string | undefined> {
    const context = this.#options.context;
    if (!context) return undefined;
    const [rules, chunks] = await Promise.all([context.rules(), context.search(objective, 8)]);
    const seen = new Set<string>();
    const parts: string[] = [];
    let size = 0;
    for (const chunk of [...rules, ...chunks]) {
      if (seen.has(chunk.id)) continue;
      seen.add(chunk.id);
      const text = `### ${chunk.source}${chunk.heading ? ` > ${chunk.heading}` : ''}\n${chunk.text}`;
      if (size + text.length > PLANNER_CONTEXT_CHARS) break;
      parts.push(text);
      size += text.length;
    }
    return parts.length > 0 ? parts.join('\n\n') : undefined;
  }

  /** Planning announces itself: each attempt with its time limit, each retry with its reason and wait. */
  #planningHooks(events: EventRecorder, iteration: number): Pick<PlanRequest, 'onAttempt' | 'onRetry' | 'onInvalidAnswer'> {
    let attempt = 1;
    return {
      onAttempt: (next) => {
        attempt = next;
        if (next > 1) events.emit('plan-start', { iteration, attempt: next, timeoutMs: this.#config.llm.timeout * 1000 });
      },
      onRetry: ({ delayMs, error }) => {
        const serialized = serializeError(error);
        events.emit('plan-retry', { iteration, attempt, reason: 'provider-error', code: serialized.code, message: serialized.message, delayMs });
      },
      onInvalidAnswer: ({ issues }) => {
        const message = issues.slice(0, 3).map((issue) => `${issue.path}: ${issue.message}`).join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more)` : '');
        events.emit('plan-retry', { iteration, attempt, reason: 'invalid-answer', code: issues[0]?.kind ?? 'invalid', message, delayMs: 0 });
      },
    };
  }

  #planner(subagents: readonly SubagentDefinition[]): Planner {
    return new Planner({
      provider: this.#options.provider,
      subagents,
      retryPolicy: this.#retryPolicy,
      timeoutMs: this.#config.llm.timeout * 1000,
      cwd: this.#projectDir,
      ...(this.#config.llm.model === undefined ? {} : { model: this.#config.llm.model }),
    });
  }

  /** The contract check as evidence; a checker that throws or answers garbage becomes a warning, not a crash. */
  async #checkContract(events: EventRecorder, abortSignal: AbortSignal): Promise<ContractReport | undefined> {
    const checker = this.#options.contractChecker;
    if (!checker) return undefined;
    try {
      const report = ContractReportSchema.parse(await checker.verify({ projectDir: this.#projectDir, abortSignal })) as ContractReport;
      events.emit('contract-end', { report });
      await this.#options.registry?.recordContract?.(report);
      return report;
    } catch (error) {
      if (abortSignal.aborted) throw error;
      events.emit('warning', { code: 'CONTRACT_CHECK_FAILED', message: `The API contract check could not run: ${serializeError(error).message}` });
      return undefined;
    }
  }

  /** The files the run writes in the project while tasks run (plan, registry), relative to it. */
  #recordPaths(): string[] {
    const directory = this.#options.specsDirectory ?? 'specs';
    const iterations = Array.from({ length: this.#config.execution.max_iterations }, (_, index) => join(directory || 'specs', `plan-iteration-${index + 1}.json`));
    const paths = directory === false ? [] : [join(directory, 'plan.json'), ...iterations];
    const registryPath = this.#options.registry?.path;
    if (registryPath) paths.push(relative(this.#projectDir, resolve(this.#projectDir, registryPath)));
    return paths;
  }

  /**
   * The run's records in the project, committed onto the integration head: `specs/plan.json`
   * (the latest plan), `specs/plan-iteration-<n>.json` (every iteration's plan, so a follow-up
   * plan does not replace the first one) and the integration registry beside them. All are
   * redacted right before the commit: whatever wrote them, no secret is committed.
   */
  async #keepRecords(plan: Plan, iteration: number, workspace: TaskWorkspace, events: EventRecorder, redactor: SecretRedactor): Promise<void> {
    const directory = this.#options.specsDirectory ?? 'specs';
    if (directory === false) return;
    try {
      const text = redactor.text(`${JSON.stringify(redactor.value(plan), null, 2)}\n`);
      const planFiles = [join(this.#projectDir, directory, 'plan.json'), join(this.#projectDir, directory, `plan-iteration-${iteration}.json`)];
      await mkdir(dirname(planFiles[0]!), { recursive: true });
      for (const file of planFiles) await writeFileAtomic(file, text);
      const files = planFiles.map((file) => relative(this.#projectDir, file));
      const registryPath = this.#options.registry?.path;
      if (registryPath && existsSync(registryPath)) {
        const text = await readFile(registryPath, 'utf8');
        const redacted = redactor.text(text);
        if (redacted !== text) await writeFileAtomic(registryPath, redacted);
        files.push(relative(this.#projectDir, registryPath));
      }
      await workspace.commitFiles?.(files, `qoder-orch: plan and integration registry (run ${this.#runId})`);
    } catch (error) {
      events.emit('warning', { code: 'RECORDS_NOT_KEPT', message: `Could not keep the plan and registry in ${directory}/: ${serializeError(error).message}` });
    }
  }

  /**
   * The run's changes to the checks (from its base commit to the integration head) and whether
   * each conflicted task's change is on the integration branch now, read from git.
   */
  async #measureChangeEvidence(state: RunState, events: EventRecorder, secretValues: readonly string[]): Promise<void> {
    const repository = await this.#repository();
    if (!repository) return;
    try {
      if (state.baseCommit) state.checkChanges = redactJson(await detectCheckChanges({ cwd: this.#projectDir, from: state.baseCommit, to: 'HEAD' }), secretValues);
      const conflicts: KeptConflict[] = [];
      for (const task of Object.values(state.tasks)) {
        const conflict = task.result?.conflict;
        if (!task.result || !conflict) continue;
        const landing = await conflictChangeLanded({ cwd: this.#projectDir, ref: conflict.ref, baseCommit: conflict.baseCommit });
        conflicts.push({ taskId: task.result.taskId, ...conflict, ...landing });
      }
      if (conflicts.length > 0) state.conflicts = conflicts;
    } catch (error) {
      events.emit('warning', { code: 'CHANGE_EVIDENCE_FAILED', message: `Could not read the run's changes to its checks and conflicts: ${serializeError(error).message}` });
    }
  }

  /** Plans only: returns the validated plan and changes nothing in the project or the run store. */
  async plan(objective: string, options: { abortSignal?: AbortSignal } = {}): Promise<Plan> {
    const subagents = await this.#loadSubagents();
    // The context index is cached in the project's private folder: keep it out of git status,
    // or a later run (or --validate-only) would find the tree dirty.
    const repository = await this.#repository();
    if (repository) await ensurePrivateDirectoryExcluded(repository.commonDir);
    if (this.#options.context) await this.#options.context.refresh(options.abortSignal ? { abortSignal: options.abortSignal } : {});
    const context = await this.#plannerContext(objective);
    // Listeners see plan-start / plan-end as in a run; nothing is written anywhere.
    const redactor = this.#createRedactor();
    const events = new EventRecorder(this, { appendEvent: async () => {} }, this.#runId, 0, redactor);
    events.emit('plan-start', { iteration: 1, attempt: 1, timeoutMs: this.#config.llm.timeout * 1000 });
    const outcome = await this.#planner(subagents).plan({
      objective,
      projectFiles: await listProjectFiles(this.#projectDir),
      ...(context === undefined ? {} : { context }),
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      ...this.#planningHooks(events, 1),
    });
    const plan = redactor.value(outcome.plan);
    events.emit('plan-end', { iteration: 1, plan, attempts: outcome.attempts, usage: outcome.usage, costUsd: outcome.costUsd });
    const reviews = await screenPlanCommands({ plan, iteration: 1, projectDir: this.#projectDir, project: readProjectCommands(this.#projectDir), policy: this.#commandPolicy });
    if (reviews.length > 0) events.emit('plan-commands', { iteration: 1, commands: reviews });
    return plan;
  }

  /** Runs an objective to its end. Resolves with the summary; rejects only on a misuse (a run already in progress). */
  async run(objective: string, options: RunOptions = {}): Promise<RunSummary> {
    if (typeof objective !== 'string' || objective.trim() === '') {
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'The objective is empty.', fix: 'Describe what should be built, e.g. "Add user authentication with JWT tokens".' });
    }
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
      return buildRunSummary(state, { stopReason: 'met', endedAt: state.updatedAt });
    }
    this.#runId = state.runId;
    const events = await this.#store.readEvents(runId);
    state.lastSeq = Math.max(state.lastSeq, ...events.map((event) => event.seq));
    state.status = 'running';
    return this.#drive(state, options, true);
  }

  async #drive(state: RunState, options: RunOptions, isResume: boolean): Promise<RunSummary> {
    if (this.#isBusy) throw new OrchestratorError({ code: 'CONFIG_INVALID', message: 'This orchestrator is already running; create another one for a parallel run.' });
    this.#isBusy = true;
    // Secrets of the process and of the project's dotenv files (an agent may read and echo
    // them), built once: every event, stored file and committed record of the run passes through it.
    const redactor = this.#createRedactor();
    const secretValues = redactor.values;
    const store = redactingRunStore(this.#store, redactor);
    const events = new EventRecorder(this, store, state.runId, state.lastSeq, redactor);
    // Active time of earlier sessions (a state from before it was recorded: its first start to its last write).
    const sessionStartedAt = Date.now();
    const activeBefore = state.activeMs ?? (isResume ? Math.max(0, Date.parse(state.updatedAt) - Date.parse(state.startedAt)) : 0);
    const recordActiveTime = () => {
      state.activeMs = activeBefore + (Date.now() - sessionStartedAt);
    };
    const controller = new AbortController();
    const userSignal = options.abortSignal;
    const onUserAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    if (userSignal?.aborted) onUserAbort();
    const signal = controller.signal;
    let stopReason: StopReason = 'max-iterations';
    let runError: unknown;
    let contractReport: ContractReport | undefined;
    let runCost = Object.values(state.tasks).reduce((sum, task) => sum + (task.result?.costUsd ?? 0), state.overheadCostUsd);
    let isBudgetExceeded = false;
    const speculation = { started: 0, kept: 0, rerun: 0, abandoned: 0, wastedMs: 0 };
    let durationHistory: DurationHistory | undefined;
    let stateWriting: Promise<void> = Promise.resolve();
    let stateQueued: Promise<void> | undefined;
    let workspace: TaskWorkspace = createDirectoryWorkspace({ projectDir: this.#projectDir });
    let isBegun = false;
    // Writes are serialised and coalesced: changes made while a write is under way go out
    // together in the next one, so a run of N tasks costs far fewer than N full-state writes.
    const saveState = (): Promise<void> => {
      if (stateQueued) return stateQueued;
      const queued = stateWriting.then(() => {
        stateQueued = undefined;
        state.updatedAt = new Date().toISOString();
        recordActiveTime();
        state.lastSeq = events.lastSeq;
        return store.writeState(structuredClone(state));
      });
      stateQueued = queued;
      stateWriting = queued.catch(() => {});
      return queued;
    };

    try {
      workspace = await this.#resolveWorkspace();
      // The run folder lives in the project: keep it out of git status before writing to it.
      const repository = await this.#repository();
      if (repository) await ensurePrivateDirectoryExcluded(repository.commonDir);
      if (isResume) await saveState();
      else await store.createRun(state);
      events.emit('run-start', { objective: state.objective, projectDir: this.#projectDir, isResumed: isResume });
      const subagents = await this.#loadSubagents();
      const subagentMap = new Map(subagents.map((subagent) => [subagent.name, subagent]));

      if (this.#options.preflight && !isResume) {
        const report = await this.#options.preflight({ projectDir: this.#projectDir, provider: this.#options.provider, config: this.#config, subagents, abortSignal: signal });
        events.emit('preflight-end', { report });
        if (!report.isPassed) {
          const failed = report.checks.filter((check) => check.status === 'fail' || (this.#config.validation.fail_on_warnings && check.status === 'warn'));
          throw new OrchestratorError({
            code: 'PREFLIGHT_FAILED',
            message: `Preflight validation failed: ${failed.map((check) => `${check.label}: ${check.message}`).join('; ')}`,
            fix: failed.map((check) => check.fix).filter(Boolean).join(' ') || 'See the validation report.',
          });
        }
      }

      const begin = await workspace.begin({
        runId: state.runId,
        isResume,
        allowDirty: this.#config.execution.allow_dirty,
        ownPaths: this.#recordPaths(),
        onTampering: (tampering) => {
          const message = redactor.text(tampering.message);
          events.emit('repository-tampered', { ...tampering, changes: tampering.changes.map((change) => redactor.text(change)), message });
          events.emit('warning', { code: 'REPOSITORY_TAMPERED', message });
        },
        abortSignal: signal,
      });
      isBegun = true;
      for (const warning of begin.warnings) events.emit('warning', { code: 'WORKSPACE', message: warning });
      if (!isResume) {
        if (begin.baseCommit) state.baseCommit = begin.baseCommit;
        if (begin.userSnapshot) state.userSnapshot = begin.userSnapshot;
      } else {
        const interrupted = Object.entries(state.tasks)
          .filter(([, task]) => task.status === 'running' || task.status === 'cancelled')
          .map(([taskId, task]) => ({ taskId, ...(task.checkpoint ? { checkpoint: task.checkpoint } : {}), ...(task.worktree ? { worktree: task.worktree } : {}) }));
        await workspace.recover(interrupted);
        for (const task of interrupted) {
          if (task.checkpoint) events.emit('rollback-end', { taskId: task.taskId, checkpoint: task.checkpoint, reason: 'interrupted run resumed' });
          state.tasks[task.taskId] = { ...state.tasks[task.taskId]!, status: 'pending' };
        }
      }
      // What the project offers to run, read before any agent can change it.
      this.#projectCommands(state);
      await saveState();

      if (this.#options.context) {
        const refreshed = await this.#options.context.refresh({ abortSignal: signal });
        events.emit('context-refresh-end', { result: refreshed });
        if (refreshed.ranking === 'lexical' && this.#config.semantic_search.enabled) {
          events.emit('warning', { code: 'SEMANTIC_SEARCH_UNAVAILABLE', message: 'The embedding model could not be loaded; context is ranked lexically (BM25).' });
        }
      }

      const history =
        this.#options.durationHistory === false
          ? undefined
          : (this.#options.durationHistory ??
            (await createDurationHistory({
              file: join(this.#projectDir, '.qoder-orch', 'history', 'durations.json'),
              onWarning: (warning) => events.emit('warning', warning),
            })));
      durationHistory = history;
      // The project's own tests are evidence: configured, or found in the project, as they are
      // now. An agent may rewrite the test script later; the run keeps the one it started with.
      if (state.testCommand === undefined) {
        const pinned = await pinTestCommand(this.#projectDir, this.#config.execution.test_command);
        if (pinned) state.testCommand = pinned;
      }
      const testCommand = state.testCommand;
      let scheduler: Scheduler | undefined;
      let lastRateLimitAt = 0;
      let previousSignature: string | undefined;
      const maxParallel = this.#config.execution.max_parallel;

      for (;;) {
        // ── plan this iteration ────────────────────────────────────────────
        let plan: Plan;
        let tasksToRun: Task[];
        const isContinuing = isResume && state.iteration > 0 && state.plans.length >= state.iteration && state.verdicts.length < state.iteration;
        if (isContinuing) {
          plan = state.plans[state.iteration - 1]!;
          tasksToRun = remainingTasks(plan, state);
          isResume = false;
        } else {
          // Killed after the judge found the objective met but before the final state write.
          if (isResume && state.iteration > 0 && state.verdicts.length >= state.iteration && state.verdicts[state.iteration - 1]?.isMet) {
            stopReason = 'met';
            break;
          }
          if (state.iteration >= this.#config.execution.max_iterations) {
            stopReason = 'max-iterations';
            break;
          }
          const iteration = state.iteration + 1;
          if (iteration === 1) {
            events.emit('plan-start', { iteration, attempt: 1, timeoutMs: this.#config.llm.timeout * 1000 });
            const context = await this.#plannerContext(state.objective);
            const outcome = await this.#planner(subagents).plan({
              objective: state.objective,
              projectFiles: await listProjectFiles(this.#projectDir),
              abortSignal: signal,
              ...(context === undefined ? {} : { context }),
              ...this.#planningHooks(events, iteration),
            });
            state.overheadUsage = addUsage(state.overheadUsage, outcome.usage);
            state.overheadCostUsd += outcome.costUsd;
            runCost += outcome.costUsd;
            // The model's plan is untrusted text: task titles become commit messages, the plan is
            // committed in specs/. Redacted once here, it is the plan everything downstream sees.
            plan = redactor.value(outcome.plan);
            events.emit('plan-end', { iteration, plan, attempts: outcome.attempts, usage: outcome.usage, costUsd: outcome.costUsd });
          } else {
            const verdict = state.verdicts[state.verdicts.length - 1];
            const followUps = verdict?.followUpTasks ?? [];
            if (followUps.length === 0) {
              stopReason = 'no-progress';
              break;
            }
            events.emit('plan-start', { iteration, attempt: 1 });
            plan = followUpPlan(state, followUps, subagents);
            events.emit('plan-end', { iteration, plan, attempts: 1, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 });
          }
          state.iteration = iteration;
          state.plans.push(plan);
          for (const task of plan.tasks) state.tasks[task.id] = { status: 'pending', attempts: 0, iteration };
          await store.writePlan(state.runId, plan);
          await this.#screenCommands(plan, iteration, state, events, options, contractReport?.checkCommand ? [contractReport.checkCommand] : []);
          await saveState();
          if (options.approve && !(await options.approve(plan, iteration))) throw new RunStopped('cancelled');
          tasksToRun = plan.tasks;
        }
        const iteration = state.iteration;

        // ── run the tasks ──────────────────────────────────────────────────
        const completedBefore = new Set(Object.entries(state.tasks).filter(([, task]) => task.status === 'completed').map(([id]) => id));
        const results = new Map<string, TaskResult>();
        let contractChecks: Promise<unknown> = Promise.resolve();
        const planTasks = new Map(plan.tasks.map((task) => [task.id, task]));
        const settle = (result: TaskResult) => {
          results.set(result.taskId, result);
          const finished = planTasks.get(result.taskId);
          if (history && finished && result.status === 'completed' && result.durationMs > 0) void history.record(finished, result.durationMs);
          events.emit('task-end', { taskId: result.taskId, result });
          // A task that touched either side of the API: check the contract now, one check at a time.
          if (this.#options.contractChecker && result.status === 'completed' && touchesApiSurface(result.filesChanged)) {
            contractChecks = contractChecks.then(async () => {
              if (!signal.aborted) contractReport = (await this.#checkContract(events, signal)) ?? contractReport;
            }).catch(() => undefined);
          }
          return result.status === 'completed' ? ('completed' as const) : result.status === 'cancelled' ? ('cancelled' as const) : ('failed' as const);
        };
        const pipeline = new TaskPipeline({
          runId: state.runId,
          objective: state.objective,
          projectDir: this.#projectDir,
          config: this.#config,
          iteration,
          plan,
          provider: this.#options.provider,
          providers: this.#options.providers ?? {},
          subagents: subagentMap,
          workspace: workspace,
          ...(this.#options.context ? { context: this.#options.context } : {}),
          ...(this.#options.registry ? { registry: this.#options.registry } : {}),
          ...(this.#options.deviations ? { deviations: this.#options.deviations } : {}),
          retryPolicy: this.#retryPolicy,
          secretValues,
          random: this.#options.random ?? Math.random,
          resultOf: (taskId) => state.tasks[taskId]?.result,
          saveTaskState: async (taskId, change) => {
            const previous = state.tasks[taskId] ?? { status: 'pending', attempts: 0, iteration };
            state.tasks[taskId] = {
              ...previous,
              status: change.status,
              attempts: change.attempts,
              iteration,
              ...(change.checkpoint ? { checkpoint: change.checkpoint } : {}),
              ...(change.worktree ? { worktree: change.worktree } : {}),
              ...(change.result ? { result: change.result } : {}),
            };
            await saveState();
          },
          commandDecision: this.#commandDecision(state),
          conflictToResolve: (task) => conflictResolvedBy(task, state.conflicts ?? []),
          ...(testCommand ? { pinnedTestCommand: testCommand } : {}),
          ...(repository ? { projectSubdirectory: projectSubdirectory(repository.root, this.#projectDir) } : {}),
        });
        recordPipelineEvents(pipeline, events, {
          onFinish: settle,
          onRateLimit: (error: ProviderError) => {
            lastRateLimitAt = Date.now();
            if (scheduler && scheduler.concurrency > 1) {
              const from = scheduler.concurrency;
              scheduler.concurrency = Math.max(1, Math.floor(from / 2));
              events.emit('concurrency-change', { from, to: scheduler.concurrency, reason: `${error.code} from ${error.providerId}` });
            }
          },
          onSuccess: () => {
            if (scheduler && scheduler.concurrency < maxParallel && Date.now() - lastRateLimitAt > this.#config.retry.rate_limit_cooldown_seconds * 1000) {
              const from = scheduler.concurrency;
              scheduler.concurrency = from + 1;
              events.emit('concurrency-change', { from, to: from + 1, reason: 'no rate limits lately' });
            }
          },
          onSpend: (costUsd) => {
            runCost += costUsd;
            const budget = this.#config.execution.budget_usd;
            if (budget !== undefined && runCost >= budget && !isBudgetExceeded) {
              isBudgetExceeded = true;
              events.emit('warning', { code: 'BUDGET', message: `The run has spent $${runCost.toFixed(4)}, over its budget of $${budget}; stopping.` });
              controller.abort(new OrchestratorError({ code: 'BUDGET', message: 'The budget is spent.' }));
            }
          },
          appendTranscript: (taskId, text) => {
            void store.appendArtifact(state.runId, `tasks/${taskId}.log`, `${new Date().toISOString()} ${text.replace(/\n/g, '\n  ')}\n`).catch(() => {});
          },
          onSpeculationWasted: (wastedMs) => {
            speculation.wastedMs += wastedMs;
          },
        });
        const execution = this.#config.execution;
        // Batching shares one working tree between tasks, so it needs a non-isolated workspace.
        const isBatching = execution.enable_batch_processing && !workspace.isIsolated;
        // Speculative work must not see half-finished dependencies: it needs isolated worktrees.
        const isSpeculative = execution.enable_speculative && workspace.isIsolated;
        scheduler = new Scheduler({
          maxParallel: scheduler?.concurrency ?? maxParallel,
          abortSignal: signal,
          ...(history ? { estimate: history.estimator() } : {}),
          isSpeculative,
          ...(isBatching
            ? {
                batch: {
                  maxSize: execution.batch_max_tasks,
                  canJoin: (first, other) =>
                    first.agent === other.agent &&
                    first.estimateMinutes <= execution.batch_max_estimate_minutes &&
                    other.estimateMinutes <= execution.batch_max_estimate_minutes,
                },
              }
            : {}),
          executor: pipeline,
        });
        const scheduled = await scheduler.run(tasksToRun, completedBefore);
        speculation.started += scheduled.speculation.started;
        speculation.kept += scheduled.speculation.kept;
        speculation.rerun += scheduled.speculation.rerun;
        speculation.abandoned += scheduled.speculation.abandoned;
        for (const [taskId, outcome] of scheduled.outcomes) {
          if (outcome !== 'blocked' && !(outcome === 'cancelled' && !results.has(taskId))) continue;
          const task = plan.tasks.find((candidate) => candidate.id === taskId)!;
          const blockedBy = scheduled.blockedBy.get(taskId) ?? [];
          const result = TaskResultSchema.parse({
            taskId,
            agent: task.agent,
            iteration,
            status: outcome,
            attempts: 0,
            ...(outcome === 'blocked' ? { blockedBy, error: { name: 'OrchestratorError', code: 'ABORTED', message: `Blocked by failed task(s): ${blockedBy.join(', ')}`, isRetryable: false } } : {}),
          });
          state.tasks[taskId] = { ...(state.tasks[taskId] ?? { attempts: 0, iteration }), status: outcome, result };
          results.set(taskId, result);
          events.emit('task-end', { taskId, result });
        }
        await saveState();
        if (events.storeError) throw events.storeError;
        if (isBudgetExceeded) throw new RunStopped('budget');
        if (signal.aborted) throw new RunStopped('cancelled');

        // ── gather evidence and judge ──────────────────────────────────────
        await contractChecks;
        contractReport = (await this.#checkContract(events, signal)) ?? contractReport;
        const projectChecks: VerificationResult[] = await collectProjectChecks({
          cwd: this.#projectDir,
          abortSignal: signal,
          ...(testCommand ? { command: testCommand.command, ...(testCommand.prependPath ? { prependPath: testCommand.prependPath } : {}) } : {}),
        });
        await this.#measureChangeEvidence(state, events, secretValues);
        // Earlier iterations' failures were turned into this iteration's follow-ups: what counts
        // now is this iteration's results and everything completed so far.
        const allResults = Object.values(state.tasks)
          .map((task) => task.result)
          .filter((result): result is TaskResult => result !== undefined && (result.iteration === iteration || result.status === 'completed'));
        const judged = await this.#judge.judge({
          objective: state.objective,
          iteration,
          plans: state.plans,
          evidence: {
            results: allResults,
            projectChecks,
            ...(contractReport ? { contract: contractReport } : {}),
            ...(state.checkChanges?.length ? { checkChanges: state.checkChanges, isCheckChangeAccepted: this.#config.execution.accept_check_changes } : {}),
            ...(state.conflicts?.length ? { conflicts: state.conflicts } : {}),
          },
          abortSignal: signal,
        });
        state.overheadUsage = addUsage(state.overheadUsage, judged.usage);
        state.overheadCostUsd += judged.costUsd;
        runCost += judged.costUsd;
        // The judge may quote what it saw (an agent's output, a file): its words are stored and shown.
        const verdict = redactor.value(judged.verdict);
        state.verdicts.push(verdict);
        events.emit('judge-end', { iteration, verdict });

        const iterationResults = [...results.values()];
        const completed = iterationResults.filter((result) => result.status === 'completed').length;
        const failed = iterationResults.filter((result) => result.status === 'failed').length;
        const blocked = iterationResults.filter((result) => result.status === 'blocked').length;
        const signature = failureSignature(allResults, projectChecks, contractReport, state, this.#config.execution.accept_check_changes);
        // No progress: the same failures as the iteration before, or (after the first) nothing completed.
        const isSameFailures = signature !== '' && signature === previousSignature;
        const isProgress = verdict.isMet || (!isSameFailures && (iteration === 1 || completed > 0));
        previousSignature = signature;
        await this.#keepRecords(plan, iteration, workspace, events, redactor);
        events.emit('iteration-end', { iteration, completed, failed, blocked, isProgress });
        await saveState();
        if (verdict.isMet) {
          stopReason = 'met';
          break;
        }
        if (!isProgress) {
          stopReason = 'no-progress';
          break;
        }
        const budget = this.#config.execution.budget_usd;
        if (budget !== undefined && runCost >= budget) {
          stopReason = 'budget';
          break;
        }
      }
    } catch (error) {
      if (error instanceof RunStopped) stopReason = error.reason;
      else if (signal.aborted && !isBudgetExceeded) stopReason = 'cancelled';
      else if (isBudgetExceeded) stopReason = 'budget';
      else {
        stopReason = 'error';
        runError = error;
      }
    } finally {
      userSignal?.removeEventListener('abort', onUserAbort);
    }

    const isMet = stopReason === 'met';
    if (isBegun) {
      try {
        const ended = await workspace.end({ isSuccess: isMet });
        for (const warning of ended?.warnings ?? []) events.emit('warning', { code: 'WORKSPACE', message: warning });
      } catch (error) {
        events.emit('warning', { code: 'WORKSPACE_END', message: serializeError(error).message });
      }
    }
    await this.#options.context?.close?.().catch(() => {});
    await durationHistory?.flush().catch(() => {});
    state.status = isMet ? 'met' : stopReason === 'cancelled' ? 'cancelled' : stopReason === 'error' ? 'failed' : 'not-met';
    recordActiveTime();
    const stats = this.#options.context?.stats();
    const lookups = stats ? stats.cacheHits + stats.cacheMisses : 0;
    for (const conflict of state.conflicts ?? []) {
      if (!conflict.isLanded) events.emit('warning', { code: 'CONFLICT_NOT_LANDED', message: `The work of task ${conflict.taskId} conflicted and is not on the integration branch; it is kept at ${conflict.ref} (\`git diff ${conflict.baseCommit.slice(0, 12)} ${conflict.ref}\`).` });
    }
    const summary = buildRunSummary(state, {
      stopReason,
      isCheckChangeAccepted: this.#config.execution.accept_check_changes,
      endedAt: new Date().toISOString(),
      ...(lookups > 0 ? { cacheHitRate: stats!.cacheHits / lookups } : {}),
      ...(speculation.started > 0 ? { speculation } : {}),
      ...(runError === undefined ? {} : { error: { code: serializeError(runError).code, message: serializeError(runError).message } }),
    });
    events.emit('run-end', { summary });
    await events.flush();
    try {
      await saveState();
      await store.flush();
    } catch {
      // The summary is still returned; the store error was reported by the event log or the run error.
    }
    this.#isBusy = false;
    return redactor.value(summary);
  }
}

/** Tasks of a plan that still need to run on resume: not finished, and not blocked by a failed task. */
function remainingTasks(plan: Plan, state: RunState): Task[] {
  const failed = new Set(plan.tasks.filter((task) => state.tasks[task.id]?.status === 'failed').map((task) => task.id));
  const byId = new Map(plan.tasks.map((task) => [task.id, task]));
  const isBlocked = (task: Task, seen = new Set<string>()): boolean =>
    task.dependsOn.some((dependency) => {
      if (failed.has(dependency)) return true;
      if (seen.has(dependency)) return false;
      seen.add(dependency);
      const next = byId.get(dependency);
      return next ? isBlocked(next, seen) : false;
    });
  return plan.tasks.filter((task) => {
    const status = state.tasks[task.id]?.status;
    if (status === 'completed' || status === 'failed') return false;
    return !isBlocked(task);
  });
}

/** The judge's follow-ups as the next iteration's plan; anything invalid is repaired or dropped. */
function followUpPlan(state: RunState, followUps: readonly Task[], subagents: readonly SubagentDefinition[]): Plan {
  const completed = Object.entries(state.tasks).filter(([, task]) => task.status === 'completed').map(([id]) => id);
  const everyId = new Set(Object.keys(state.tasks));
  const known = new Set(subagents.map((subagent) => subagent.name));
  const fallbackAgent = subagents[0]?.name ?? 'backend-dev';
  const tasks = followUps
    .filter((task) => !everyId.has(task.id))
    .map((task) => ({ ...task, agent: known.has(task.agent) ? task.agent : fallbackAgent }));
  const ids = new Set(tasks.map((task) => task.id));
  const cleaned = tasks.map((task) => ({ ...task, dependsOn: task.dependsOn.filter((dependency) => ids.has(dependency) || completed.includes(dependency)) }));
  const validated = validatePlan({ objective: state.objective, summary: 'Follow-up tasks from the judge.', tasks: cleaned }, { objective: state.objective, agents: [...known], externalIds: completed, projectDir: state.projectDir });
  if ('plan' in validated) return validated.plan;
  // Dependencies that still do not validate (cycles): run the follow-ups independently.
  const independent = validatePlan({ objective: state.objective, summary: 'Follow-up tasks from the judge.', tasks: cleaned.map((task) => ({ ...task, dependsOn: [] })) }, { objective: state.objective, agents: [...known], projectDir: state.projectDir });
  if ('plan' in independent) return independent.plan;
  throw new OrchestratorError({ code: 'PLAN_INVALID', message: `The judge's follow-up tasks are invalid: ${independent.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}` });
}

/** What is failing, independent of task ids, to tell whether an iteration changed anything. */
function failureSignature(
  results: readonly TaskResult[],
  projectChecks: readonly VerificationResult[],
  contract: ContractReport | undefined,
  state: Pick<RunState, 'checkChanges' | 'conflicts'>,
  isCheckChangeAccepted: boolean,
): string {
  const parts: string[] = [];
  if (!isCheckChangeAccepted) for (const change of state.checkChanges ?? []) if (change.isBlocking) parts.push(`check-change:${change.path}:${change.detail}`);
  for (const conflict of state.conflicts ?? []) if (!conflict.isLanded) parts.push(`conflict:${conflict.taskId}:${conflict.missing.join('|')}`);
  for (const result of latestResults(results)) {
    if (result.status === 'completed' && result.verification.every((check) => check.passed)) continue;
    parts.push(`${result.status}:${result.error?.code ?? ''}:${result.verification.filter((check) => !check.passed).map((check) => check.command.join(' ')).sort().join('|')}`);
  }
  for (const check of projectChecks) if (!check.passed) parts.push(`project:${check.command.join(' ')}:${check.exitCode}`);
  for (const finding of contract?.findings ?? []) if (finding.severity === 'error') parts.push(`contract:${finding.kind}:${finding.method}:${finding.path}`);
  return parts.sort().join('\n');
}

/**
 * The unlanded conflict a task is to resolve: the follow-up named for the conflicted task
 * (`fix-<id>`, `fix-<id>-2`), which the evidence rules create for every unlanded conflict.
 * This only decides which kept ref is merged into the task's worktree; whether the work
 * landed is measured afterwards from git.
 */
function conflictResolvedBy(task: Task, conflicts: readonly KeptConflict[]): KeptConflict | undefined {
  return conflicts.find((conflict) => {
    if (conflict.isLanded) return false;
    return isNamedFor(task.id, conflict.taskId);
  });
}

function projectSubdirectory(root: string, projectDir: string): string {
  const inside = relative(root, projectDir).split('\\').join('/');
  return inside.startsWith('..') ? '' : inside;
}

/** Creates an {@link Orchestrator}. */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  return new Orchestrator(options);
}

