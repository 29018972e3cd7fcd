import type { LLMProviderV1 } from '@qoder-orch/spec';
import type { PreflightCheck } from './preflight-report';
import { fail, pass, warn } from './check-result';

/** Asks the provider (`doCheck`) whether its CLI is installed, which version, and whether it is signed in. */
export async function checkProvider(provider: LLMProviderV1, options: { cwd: string; abortSignal?: AbortSignal; timeoutMs: number }): Promise<PreflightCheck[]> {
  const id = `provider.${provider.providerId}`;
  const label = `Provider ${provider.providerId}`;
  if (provider.doCheck === undefined) {
    return [warn(id, label, 'This provider cannot check its installation.', 'Run one small task by hand to make sure the agent works.')];
  }
  let result;
  try {
    result = await provider.doCheck({ cwd: options.cwd, timeoutMs: options.timeoutMs, ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }) });
  } catch (error) {
    return [fail(id, label, `The check failed: ${(error as Error).message}`, 'Make sure the agent CLI runs in a terminal, then try again.')];
  }
  const checks: PreflightCheck[] = [];
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  const warnings = result.problems.filter((problem) => problem.severity === 'warning');
  const where = `${result.version === undefined ? 'version unknown' : `version ${result.version}`}${result.path === undefined ? '' : ` at ${result.path}`}`;
  if (!result.installed) {
    checks.push(fail(`${id}.installed`, `${label} installed`, 'The CLI was not found.', errors[0]?.fix ?? 'Install the agent CLI and make sure it is on PATH.'));
    return checks;
  }
  checks.push(pass(`${id}.installed`, `${label} installed`, where));
  if (result.authenticated === true) checks.push(pass(`${id}.auth`, `${label} authentication`, 'Signed in.'));
  else if (result.authenticated === false) {
    const authProblem = errors.find((problem) => /auth|log ?in|sign|token|key/i.test(problem.message)) ?? errors[0];
    checks.push(fail(`${id}.auth`, `${label} authentication`, authProblem?.message ?? 'Not signed in.', authProblem?.fix ?? 'Sign in to the agent CLI (or set its API key / token in the environment).'));
  } else checks.push(warn(`${id}.auth`, `${label} authentication`, 'Could not tell without a model call.', 'Run one small task by hand, or sign in again, if the run fails with an authentication error.'));
  for (const problem of errors) {
    if (result.authenticated === false && checks.at(-1)?.message === problem.message) continue;
    checks.push(fail(`${id}.problem`, label, problem.message, problem.fix));
  }
  for (const problem of warnings) checks.push(warn(`${id}.problem`, label, problem.message, problem.fix));
  return checks;
}
