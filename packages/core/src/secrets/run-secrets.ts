import { projectEnvSecretValues } from '@qoder-orch/spec';
import { secretValuesFrom } from '@qoder-orch/spec';
import { createSecretRedactor, type SecretRedactor } from '@qoder-orch/spec';

export interface RunSecretsInput {
  /** Its dotenv files (`.env`, `.env.local` …) are read for secrets. */
  projectDir?: string;
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** More values to hide (e.g. keys a caller handed to a provider). */
  extra?: readonly string[];
}

/**
 * Every secret value a run must never write, print or commit: the process environment's
 * secret-named variables (provider keys, `QODER_PERSONAL_ACCESS_TOKEN`, `*_API_KEY`, `*_TOKEN`,
 * `*_SECRET`, passwords …), passwords inside URLs, the project's dotenv secrets, and `extra`.
 */
export function runSecretValues(input: RunSecretsInput = {}): string[] {
  const values = new Set([...secretValuesFrom(input.env ?? process.env), ...(input.projectDir === undefined ? [] : projectEnvSecretValues(input.projectDir)), ...(input.extra ?? [])]);
  return [...values].sort((a, b) => b.length - a.length);
}

/** The one redactor of a run, built once from {@link runSecretValues}. */
export function createRunRedactor(input: RunSecretsInput = {}): SecretRedactor {
  return createSecretRedactor(runSecretValues(input));
}
