import type { Plan } from '@qoder-orch/core';
import { heading } from './heading';
import { padEnd } from './format';
import type { Style } from './terminal-style';

/** The plan: each task with its agent, dependencies, files and checks, in plan order. */
export function renderPlan(plan: Plan, iteration: number, style: Style, details: { attempts?: number; costUsd?: number } = {}): string {
  const title = iteration > 1 ? `Plan (iteration ${iteration}, follow-ups)` : 'Plan';
  const lines = [heading(title, style)];
  if (plan.summary) lines.push(plan.summary, '');
  const idWidth = Math.min(28, Math.max(4, ...plan.tasks.map((task) => task.id.length)));
  const agentWidth = Math.min(20, Math.max(5, ...plan.tasks.map((task) => task.agent.length)));
  plan.tasks.forEach((task, index) => {
    const number = `${String(index + 1).padStart(2)}.`;
    lines.push(`${number} ${style.bold(padEnd(task.id, idWidth))}  ${style.cyan(padEnd(`[${task.agent}]`, agentWidth + 2))}  ${task.title}`);
    const indent = ' '.repeat(4);
    lines.push(`${indent}${style.dim('depends on:')} ${task.dependsOn.length > 0 ? task.dependsOn.join(', ') : '-'}`);
    if (task.files.length > 0) lines.push(`${indent}${style.dim('files:')} ${task.files.join(', ')}`);
    if (task.verify.length > 0) {
      const commands = task.verify.map((command) => (Array.isArray(command) ? command : command.command).join(' '));
      lines.push(`${indent}${style.dim('verify:')} ${commands.join('; ')}`);
    }
  });
  const agents = new Set(plan.tasks.map((task) => task.agent));
  const roots = plan.tasks.filter((task) => task.dependsOn.length === 0).length;
  lines.push('', `${plan.tasks.length} tasks for ${agents.size} agents; ${roots} can start at once.${details.attempts && details.attempts > 1 ? ` (planned in ${details.attempts} attempts)` : ''}`);
  return lines.join('\n');
}
