import { z } from 'zod';
import { OrchestratorError } from '@qoder-orch/spec';
import { ProviderError } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { TaskResultSchema, type TaskResult } from '@qoder-orch/spec';
import { VerdictSchema, type Verdict } from '@qoder-orch/spec';
import type { LLMProviderV1, CompleteResult, WarmUpOptions } from '@qoder-orch/spec';
import { emptyUsage } from '@qoder-orch/spec';
import { describeCheckChange } from './check-changes';
import { blockingCheckChanges, describeCheck, describeFailure, findEvidenceFailures, latestResults, mentionsTask, supersededResults, type EvidenceFailure } from './evidence-rules';
import { FollowUpIdAllocator, attachContractCheck, followUpsForUncheckedTasks, followUpsFromFailures, inheritVerifyCommands, knownAgents, normaliseModelFollowUps, usedTaskIds } from './follow-up-tasks';
import { buildJudgePrompt } from './judge-prompt';
import type { Evidence, Judge, JudgeInput, JudgeOutput } from './judge';
import { parseModelVerdict, type ModelVerdict } from './model-verdict';

export interface EvidenceJudgeOptions {
  /** Asked for the structured verdict (`doComplete`, purpose `judge`). */
  provider: LLMProviderV1;
  /** For the model call, ms. @default 300000 */
  timeoutMs?: number;
  /** Passed to the provider. */
  model?: string;
  /** Where the provider runs. */
  cwd?: string;
  /** Characters of evidence text in the prompt at most. @default 30000 */
  maxEvidenceChars?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_MAX_EVIDENCE_CHARS = 30_000;

let cachedVerdictJsonSchema: Record<string, unknown> | undefined;
/** The JSON Schema of core's `VerdictSchema`, given to providers that enforce one. */
export function verdictJsonSchema(): Record<string, unknown> {
  cachedVerdictJsonSchema ??= z.toJSONSchema(VerdictSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return cachedVerdictJsonSchema;
}

/**
 * A Judge that decides from evidence the orchestrator gathered itself. The model is asked
 * for a structured verdict, but the evidence rules are applied in code: any failed, blocked
 * or unfinished task, failed verification or project check, or contract error means
 * `isMet: false`, whatever the model (or an agent) says. When the model's answer is
 * unusable, the verdict comes from the evidence alone (`basis: 'evidence'`).
 */
export function createEvidenceJudge(options: EvidenceJudgeOptions): Judge {
  return {
    judge: (input) => judgeByEvidence(input, options),
    warmUp: () => options.provider.doWarmUp?.(verdictCallOptions(options)) ?? { cancel: () => undefined },
  };
}

/** The verdict call's options but its prompt and signal: the same for the warm-up and the call, so that the call takes what the warm-up started. */
function verdictCallOptions(options: EvidenceJudgeOptions): WarmUpOptions {
  return {
    purpose: 'judge',
    jsonSchema: verdictJsonSchema(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  };
}

/** Tasks of the latest plan with no result count as unfinished. */
function resultsWithMissing(evidence: Evidence, plans: readonly Plan[], iteration: number): TaskResult[] {
  const results = latestResults(evidence.results);
  const seen = new Set(results.map((result) => result.taskId));
  const latestPlan = plans[plans.length - 1];
  for (const task of latestPlan?.tasks ?? []) {
    if (!seen.has(task.id)) results.push(TaskResultSchema.parse({ taskId: task.id, agent: task.agent, iteration, status: 'pending', attempts: 0 }));
  }
  return results;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (OrchestratorError.isInstance(error) && error.code === 'ABORTED');
}

async function judgeByEvidence(input: JudgeInput, options: EvidenceJudgeOptions): Promise<JudgeOutput> {
  if (input.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'Judging was aborted.' });
  const results = resultsWithMissing(input.evidence, input.plans, input.iteration);
  const evidence: Evidence = { ...input.evidence, results };
  const failures = findEvidenceFailures(evidence, input.plans);
  const agents = knownAgents(input.plans, results);
  const allocator = new FollowUpIdAllocator(usedTaskIds(input.plans, input.evidence.results));
  const prompt = buildJudgePrompt({
    objective: input.objective,
    iteration: input.iteration,
    plans: input.plans,
    evidence,
    results,
    failures,
    agents,
    maxEvidenceChars: options.maxEvidenceChars ?? DEFAULT_MAX_EVIDENCE_CHARS,
  });

  let completion: CompleteResult | undefined;
  let modelVerdict: ModelVerdict | undefined;
  let problem = '';
  let usage = emptyUsage();
  let costUsd = 0;
  try {
    completion = await options.provider.doComplete({ ...verdictCallOptions(options), prompt, ...(input.abortSignal === undefined ? {} : { abortSignal: input.abortSignal }) });
    usage = completion.usage;
    costUsd = completion.costUsd ?? 0;
    const parsed = parseModelVerdict(completion);
    if ('verdict' in parsed) modelVerdict = parsed.verdict;
    else problem = parsed.problem;
  } catch (error) {
    if (isAbort(error, input.abortSignal)) throw error;
    if (ProviderError.isInstance(error)) {
      usage = error.usage ?? usage;
      costUsd = error.costUsd ?? costUsd;
      problem = `the model call failed (${error.code}: ${error.message})`;
    } else problem = `the model call failed (${error instanceof Error ? error.message : String(error)})`;
  }

  const verdict = modelVerdict ? combineWithModel({ modelVerdict, failures, results, evidence, plans: input.plans, agents, allocator }) : evidenceOnlyVerdict({ failures, results, evidence, plans: input.plans, agents, allocator, problem });
  return { verdict: VerdictSchema.parse(verdict), usage, costUsd };
}

interface VerdictParts {
  failures: readonly EvidenceFailure[];
  results: readonly TaskResult[];
  evidence: Evidence;
  plans: readonly Plan[];
  agents: readonly string[];
  allocator: FollowUpIdAllocator;
}

/** One criterion per task, plus project checks and the contract, judged from evidence alone. */
function evidenceCriteria(parts: VerdictParts): Verdict['criteria'] {
  const criteria: Verdict['criteria'] = [];
  const titles = new Map<string, string>();
  for (const plan of parts.plans) for (const task of plan.tasks) titles.set(task.id, task.title);
  const superseded = supersededResults(parts.results, parts.plans);
  for (const result of parts.results) {
    if (superseded.has(result.taskId)) continue;
    const failedChecks = result.verification.filter((check) => !check.passed);
    const isMet = result.status === 'completed' && failedChecks.length === 0;
    const checks = result.verification.length > 0 ? result.verification.map((check) => `${describeCheck(check)} ${check.passed ? 'passed' : 'failed'}`).join('; ') : 'no verify commands';
    criteria.push({
      criterion: `Task ${result.taskId}${titles.has(result.taskId) ? `: ${titles.get(result.taskId)}` : ''}`,
      isMet,
      evidence: `status ${result.status}; ${checks}`,
    });
  }
  if (parts.evidence.projectChecks.length > 0) {
    criteria.push({
      criterion: 'The project checks pass',
      isMet: parts.evidence.projectChecks.every((check) => check.passed),
      evidence: parts.evidence.projectChecks.map((check) => `${describeCheck(check)} ${check.passed ? 'passed' : 'failed'}`).join('; '),
    });
  }
  const checkChanges = parts.evidence.checkChanges ?? [];
  if (checkChanges.length > 0) {
    const blocking = blockingCheckChanges(parts.evidence);
    criteria.push({
      criterion: 'The checks are the ones the run started with',
      isMet: blocking.length === 0,
      evidence: `${checkChanges.map(describeCheckChange).slice(0, 8).join('; ')}${parts.evidence.isCheckChangeAccepted ? ' (accepted by the user)' : ''}`,
    });
  }
  const conflicts = parts.evidence.conflicts ?? [];
  if (conflicts.length > 0) {
    criteria.push({
      criterion: 'The work of tasks whose merge conflicted is on the integration branch',
      isMet: conflicts.every((conflict) => conflict.isLanded),
      evidence: conflicts.map((conflict) => `${conflict.taskId}: ${conflict.isLanded ? 'landed' : `not landed (kept at ${conflict.ref})`}`).join('; '),
    });
  }
  const contract = parts.evidence.contract;
  if (contract) {
    const errors = contract.findings.filter((finding) => finding.severity === 'error');
    criteria.push({
      criterion: 'Frontend, backend and API contract agree',
      isMet: errors.length === 0,
      evidence: `${errors.length} error(s), ${contract.findings.length - errors.length} warning(s) from ${contract.contractSource ?? 'no contract file'}`,
    });
  }
  return criteria;
}

function hasPositiveEvidence(parts: VerdictParts): boolean {
  const contract = parts.evidence.contract;
  return (
    parts.results.some((result) => result.verification.some((check) => check.passed)) ||
    parts.evidence.projectChecks.some((check) => check.passed) ||
    (contract !== undefined && contract.isPassed && contract.contract.length + contract.backend.length + contract.frontend.length > 0)
  );
}

function evidenceOnlyVerdict(parts: VerdictParts & { problem: string }): Verdict {
  const criteria = evidenceCriteria(parts);
  const why = `The model's verdict was unusable (${parts.problem}); judged from evidence alone.`;
  if (parts.failures.length > 0) {
    return {
      isMet: false,
      reasoning: `${why} Not met: ${parts.failures.map(describeFailure).join('; ')}.`,
      criteria,
      followUpTasks: followUpsFromFailures({ failures: parts.failures, plans: parts.plans, allocator: parts.allocator, agents: parts.agents }),
      basis: 'evidence',
    };
  }
  const isMet = hasPositiveEvidence(parts);
  return {
    isMet,
    reasoning: isMet ? `${why} Every task completed and every check that ran passed.` : `${why} ${NO_CHECK_RAN}`,
    criteria,
    followUpTasks: isMet ? [] : uncheckedFollowUps(parts),
    basis: 'evidence',
  };
}

const NO_CHECK_RAN = "No check ran, so nothing but the agents' claims supports the objective; that is not enough.";

function uncheckedFollowUps(parts: VerdictParts): Task[] {
  const superseded = supersededResults(parts.results, parts.plans);
  return followUpsForUncheckedTasks({
    results: parts.results.filter((result) => !superseded.has(result.taskId)),
    plans: parts.plans,
    allocator: parts.allocator,
    agents: parts.agents,
  });
}

function combineWithModel(parts: VerdictParts & { modelVerdict: ModelVerdict }): Verdict {
  const { modelVerdict, failures } = parts;
  if (modelVerdict.isMet && failures.length === 0) {
    if (hasPositiveEvidence(parts)) return { isMet: true, reasoning: modelVerdict.reasoning, criteria: modelVerdict.criteria, followUpTasks: [], basis: 'model+evidence' };
    return {
      isMet: false,
      reasoning: `The model judged the objective met, but ${NO_CHECK_RAN.charAt(0).toLowerCase()}${NO_CHECK_RAN.slice(1)} ${modelVerdict.reasoning}`.trim(),
      criteria: [...modelVerdict.criteria, { criterion: '[evidence] At least one check ran and passed', isMet: false, evidence: 'no verify command, project check or contract check ran' }],
      followUpTasks: uncheckedFollowUps(parts),
      basis: 'model+evidence',
    };
  }

  const normalised = normaliseModelFollowUps(modelVerdict.followUpTasks, { allocator: parts.allocator, agents: parts.agents });
  const modelTasks = attachContractCheck(inheritVerifyCommands(normalised.tasks, failures, parts.plans), failures);
  const coveredTaskIds = new Set(parts.results.map((result) => result.taskId).filter((taskId) => modelTasks.some((task) => mentionsTask(task, taskId))));
  const evidenceTasks = followUpsFromFailures({
    failures,
    plans: parts.plans,
    allocator: parts.allocator,
    agents: parts.agents,
    coveredTaskIds,
    coveringTasks: modelTasks,
  });
  const failedCriteria =
    failures.length > 0
      ? evidenceCriteria(parts)
          .filter((criterion) => !criterion.isMet)
          .map((criterion) => ({ ...criterion, criterion: `[evidence] ${criterion.criterion}` }))
      : [];
  const criteria = [...modelVerdict.criteria, ...failedCriteria];
  let followUpTasks = [...modelTasks, ...evidenceTasks];
  if (followUpTasks.length === 0) followUpTasks = followUpsFromCriteria(criteria, parts);
  const overruled = modelVerdict.isMet
    ? `The model judged the objective met, but the evidence says otherwise: ${failures.map(describeFailure).join('; ')}. `
    : failures.length > 0
      ? `Evidence: ${failures.map(describeFailure).join('; ')}. `
      : '';
  return { isMet: false, reasoning: `${overruled}${modelVerdict.reasoning}`.trim(), criteria, followUpTasks, basis: 'model+evidence' };
}

/** When the model says "not met" without follow-ups: one task per unmet criterion. */
function followUpsFromCriteria(criteria: Verdict['criteria'], parts: VerdictParts): Task[] {
  const agent = parts.agents[0] ?? 'general';
  return criteria
    .filter((criterion) => !criterion.isMet)
    .slice(0, 10)
    .map((criterion, index) => ({
      id: parts.allocator.allocate(`fix-criterion-${index + 1}`),
      title: `Meet: ${criterion.criterion}`.slice(0, 200),
      description: `This acceptance criterion is not met yet.\nCriterion: ${criterion.criterion}\nWhat the judge saw: ${criterion.evidence}`.slice(0, 20_000),
      agent,
      dependsOn: [],
      files: [],
      acceptance: [criterion.criterion],
      verify: [],
      estimateMinutes: 10,
    }));
}
