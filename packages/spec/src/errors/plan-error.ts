import { OrchestratorError } from './orchestrator-error';

export type PlanIssueKind = 'no-json' | 'invalid-json' | 'schema' | 'duplicate-id' | 'unknown-dependency' | 'self-dependency' | 'cycle' | 'unknown-agent' | 'path-outside-project' | 'too-many-tasks';

/** One thing wrong with a plan, precise enough to send back to the model. */
export interface PlanIssue {
  kind: PlanIssueKind;
  /** Where: a JSON path such as `tasks[2].dependsOn[0]`, or a task id. */
  path: string;
  message: string;
}

/** The planner could not get a valid plan within its attempts. Lists every problem. */
export class PlanError extends OrchestratorError {
  readonly issues: readonly PlanIssue[];
  readonly attempts: number;

  constructor(issues: readonly PlanIssue[], attempts: number, cause?: unknown) {
    super({
      code: 'PLAN_INVALID',
      message: `The plan is invalid after ${attempts} attempt(s):\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
      cause,
      fix: 'Rephrase the objective more concretely, or check that the subagents named in the plan exist.',
    });
    this.name = 'PlanError';
    this.issues = issues;
    this.attempts = attempts;
  }
}
