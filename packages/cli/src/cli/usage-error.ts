import { OrchestratorError } from '@qoder-orch/core';

/**
 * Bad command-line input: printed as one line with a hint, exit code 3. Carries
 * `CONFIG_INVALID` so a program embedding the CLI can switch on it like any other error.
 */
export class UsageError extends OrchestratorError {
  constructor(message: string, hint: string) {
    super({ code: 'CONFIG_INVALID', message, fix: hint });
    this.name = 'UsageError';
  }
}
