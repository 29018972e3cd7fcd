import { join } from 'node:path';
import { readEnvFile } from '@qoder-orch/spec';

export const QODER_TOKEN_VARIABLE = 'QODER_PERSONAL_ACCESS_TOKEN';

/**
 * The Qoder personal access token: from the given environment, else from `.env.local` in the
 * first of `directories` that has one with the variable. Never logged.
 */
export function findQoderToken(environment: Readonly<Record<string, string | undefined>>, directories: readonly string[]): string | undefined {
  const fromEnvironment = environment[QODER_TOKEN_VARIABLE];
  if (fromEnvironment) return fromEnvironment;
  for (const directory of directories) {
    const value = readEnvFile(join(directory, '.env.local'))[QODER_TOKEN_VARIABLE];
    if (value) return value;
  }
  return undefined;
}
