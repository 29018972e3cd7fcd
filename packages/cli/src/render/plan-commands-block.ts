import type { CommandReview } from '@qoder-orch/core';
import { heading } from './heading';
import type { Style } from './terminal-style';

/**
 * The commands a plan proposes to run as checks, each with the command policy's decision
 * and why, shown before any of them runs.
 */
export function renderPlanCommands(commands: readonly CommandReview[], style: Style): string {
  const lines = [heading('Commands the plan proposes', style)];
  const seen = new Set<string>();
  for (const review of commands) {
    const key = JSON.stringify([review.taskId, review.cwd, review.command]);
    if (seen.has(key)) continue;
    seen.add(key);
    const mark = review.isAllowed ? style.green('✓ runs   ') : style.red('✗ refused');
    const where = review.cwd === undefined ? '' : style.dim(` (in ${review.cwd})`);
    lines.push(`${mark} ${style.bold(review.taskId)}: ${review.command.join(' ')}${where}`, `    ${style.dim(review.reason)}`);
  }
  const refused = commands.filter((review) => !review.isAllowed).length;
  if (refused > 0) {
    lines.push('', style.yellow(`${refused} proposed check(s) will not run and cannot count as evidence. Allow a command in .qoder-orchestrate.yaml (validation.command_policy.allow) if you trust it.`));
  }
  return lines.join('\n');
}
