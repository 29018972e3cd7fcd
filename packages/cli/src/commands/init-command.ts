import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckResult, detectTestCommand, type LLMProviderV1, loadConfig, loadSubagents } from '@qoder-orch/core';
import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { oneLine } from '../render/format';
import type { Style } from '../render/terminal-style';
import { resolveProvider, resolvePurposeProvider } from '../run/build-orchestrator';
import { resolveProjectDirectory } from '../run/project-directory';
import { styleFor } from '../run/run-command';
import { initConfigText } from './init-config-text';

export const CONFIG_FILE_NAME = '.qoder-orchestrate.yaml';

/**
 * `qoder-orchestrate init`: what a new user runs first in their repository. Writes a commented
 * `.qoder-orchestrate.yaml` (never over an existing one without `--force`) with the detected
 * test command and the chosen providers, lists the subagents it found, and checks each chosen
 * provider. Exit 0 when every provider is ready, 2 when one is not (the file is written).
 */
export async function initCommand(options: CommonOptions & { isForced: boolean }, io: CliIo): Promise<ExitCode> {
  const cwd = io.cwd ?? process.cwd();
  const projectDir = await resolveProjectDirectory(options.projectDir, cwd);
  const style = styleFor(io, options);
  const llm = options.overrides.llm ?? {};
  const provider = llm.provider ?? 'qoder';
  const testCommand = await detectTestCommand(projectDir);
  const file = join(projectDir, CONFIG_FILE_NAME);
  try {
    await writeFile(file, initConfigText({ provider, planProvider: llm.planProvider, judgeProvider: llm.judgeProvider, testCommand }), { flag: options.isForced ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists.`, 'Edit it, or pass --force to write a new one over it.');
    throw error;
  }
  // What was written must load: the same loader every run uses.
  const { config } = await loadConfig({ projectDir, env: {}, overrides: {} });
  const out = (line: string) => io.stdout.write(`${line}\n`);
  out(`${style.green('✓')} wrote ${file}`);
  out(`  test command: ${config.execution.testCommand ? config.execution.testCommand.join(' ') : style.yellow('none detected (set execution.test_command so runs are judged on your tests)')}`);

  const subagents = await loadSubagents(projectDir);
  out('');
  out(`Subagents (${subagents.length}):`);
  for (const subagent of subagents) out(`  ${subagent.name.padEnd(20)} ${style.dim(subagent.source)}  ${oneLine(subagent.description, 60)}`);

  out('');
  out('Providers:');
  const purposes: Array<[string, Promise<LLMProviderV1 | undefined>]> = [
    ['tasks', resolveProvider(config.llm.provider, { cwd })],
    ['planning', resolvePurposeProvider(config.llm.planProvider, { cwd, key: 'llm.plan_provider' })],
    ['judging', resolvePurposeProvider(config.llm.judgeProvider, { cwd, key: 'llm.judge_provider' })],
  ];
  let isReady = true;
  for (const [purpose, pending] of purposes) {
    const chosen = await pending;
    if (!chosen) continue;
    const result = chosen.doCheck ? await chosen.doCheck({ cwd: projectDir, timeoutMs: 30_000, ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}) }) : undefined;
    const lines = describeCheck(result, style);
    if (result && (!result.installed || result.authenticated === false || result.problems.some((problem) => problem.severity === 'error'))) isReady = false;
    out(`  ${purpose.padEnd(9)} ${chosen.providerId}: ${lines[0]}`);
    for (const line of lines.slice(1)) out(`            ${line}`);
  }
  out('');
  if (isReady) {
    // A run wants a clean work tree: the new file is committed first.
    out(`Next: git add ${CONFIG_FILE_NAME} && git commit -m "qoder-orchestrate settings"`);
    out('      qoder-orchestrate "<objective>" --plan-only   (see the plan first; nothing is changed)');
  } else out(style.red('Fix the provider problems above, then run: qoder-orchestrate --validate-only'));
  return isReady ? EXIT_CODES.met : EXIT_CODES.failed;
}

function describeCheck(result: CheckResult | undefined, style: Style): string[] {
  if (!result) return [style.yellow('cannot check itself; run one small task by hand')];
  if (!result.installed) return [style.red('not installed'), ...result.problems.map((problem) => `fix: ${problem.fix}`)];
  const version = result.version ? ` ${result.version}` : '';
  const auth = result.authenticated === true ? style.green('signed in') : result.authenticated === false ? style.red('not signed in') : style.yellow('sign-in not checked without a model call');
  return [`${style.green('installed')}${version}, ${auth}`, ...result.problems.map((problem) => `${problem.severity === 'error' ? style.red('✗') : style.yellow('!')} ${problem.message} — ${problem.fix}`)];
}
