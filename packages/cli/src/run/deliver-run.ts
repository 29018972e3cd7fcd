import { join } from 'node:path';
import { type ContractReport, deliverPullRequest, type EventEnvelope, type FileRunStore, pullRequestBody, pullRequestTitle, pullRequestWorthiness, type RunSummary, shellLine } from '@qoder-orch/core';
import type { CliOutput } from '../cli/cli-io';
import type { Style } from '../render/terminal-style';

/** The artifact name of the pull request's body in the run folder (the printed `gh` command reads it there). */
export const PULL_REQUEST_BODY_FILE = 'pull-request.md';

/** Where the run's work is: its branch, its last commit, and that the checkout is back where it was. */
export function branchLines(summary: RunSummary, projectDir: string, style: Style): string {
  const branch = summary.branch;
  if (branch === undefined) return '';
  const at = branch.head === undefined ? '' : ` at ${branch.head.slice(0, 12)}`;
  const back = branch.returnedTo === undefined ? '' : `; your checkout is back on ${/^[0-9a-f]{40}$/.test(branch.returnedTo) ? `commit ${branch.returnedTo.slice(0, 12)}` : branch.returnedTo}`;
  const review = branch.returnedTo === undefined ? '' : `\nReview:  git -C ${shellPath(projectDir)} log -p ${branch.returnedTo}..${branch.name}`;
  return `${style.bold('Branch:')}  ${branch.name}${at}${back}${review}\n`;
}

function shellPath(path: string): string {
  return shellLine([path]);
}

export interface DeliverRunInput {
  summary: RunSummary;
  runStore: FileRunStore;
  /** The run's events (the last `contract-end` is the contract verdict shown). */
  events: readonly EventEnvelope[];
  projectDir: string;
  remote: string;
  env: Readonly<Record<string, string | undefined>>;
  redact: (text: string) => string;
  output: CliOutput;
  style: Style;
  abortSignal?: AbortSignal;
}

/**
 * `--pr` after a run: a run worth reviewing (met, or with landed work) gets its branch pushed
 * and a draft pull request through `gh`; otherwise it says why nothing was opened. When `gh`
 * cannot do it (missing, not logged in, refused) or the push failed, the exact commands are
 * printed. The run's own result (summary, exit code, state) is never changed by this.
 */
export async function deliverRunPullRequest(input: DeliverRunInput): Promise<void> {
  const { summary, output, style } = input;
  const worth = pullRequestWorthiness(summary);
  if (!worth.isWorth || summary.branch === undefined) {
    output.write(`${style.yellow('No pull request:')} ${worth.isWorth ? 'the run did not work on a branch of its own' : worth.reason}.\n`);
    return;
  }
  const state = await input.runStore.readState(summary.runId).catch(() => undefined);
  const contract = [...input.events].reverse().find((event) => event.type === 'contract-end') as (EventEnvelope & { report?: ContractReport }) | undefined;
  const body = pullRequestBody({ summary, plans: state?.plans ?? [], ...(contract?.report ? { contract: contract.report } : {}), redact: input.redact });
  await input.runStore.writeArtifact(summary.runId, PULL_REQUEST_BODY_FILE, body);
  const bodyFile = join(input.runStore.runDirectory(summary.runId), PULL_REQUEST_BODY_FILE);
  const returnedTo = summary.branch.returnedTo;
  const base = returnedTo === undefined || /^[0-9a-f]{40}$/.test(returnedTo) ? undefined : returnedTo;
  const delivery = await deliverPullRequest({
    projectDir: input.projectDir,
    branch: summary.branch.name,
    ...(base === undefined ? {} : { base }),
    remote: input.remote,
    title: input.redact(pullRequestTitle(summary)),
    bodyFile,
    env: input.env,
    ...(input.abortSignal ? { abortSignal: input.abortSignal } : {}),
  });
  if (delivery.status === 'opened') {
    output.write(`${style.green('Draft pull request:')} ${input.redact(delivery.url)}\n`);
    return;
  }
  output.write(`${style.yellow('!')} ${delivery.code}: ${input.redact(delivery.message)}\n`);
  output.write(`${delivery.isPushed ? 'Open the draft pull request yourself' : 'Push the branch and open the draft pull request yourself'} (the body is ${bodyFile}):\n`);
  for (const command of delivery.commands) output.write(`  ${input.redact(shellLine(command))}\n`);
}
