import { OrchestratorError } from './orchestrator-error';

export interface ConfigIssue {
  /** The key path, e.g. `execution.max_parallel`. */
  path: string;
  message: string;
  /** The expected form, e.g. `an integer from 1 to 64`. */
  expected?: string;
}

/** A configuration file or option is invalid. Names the file, the key path and the expected form. */
export class ConfigError extends OrchestratorError {
  readonly file: string | undefined;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], file?: string, cause?: unknown) {
    const where = file ?? 'options';
    super({
      code: 'CONFIG_INVALID',
      message: `Invalid configuration in ${where}:\n${issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}${issue.expected ? ` (expected ${issue.expected})` : ''}`).join('\n')}`,
      cause,
    });
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}
