import { createInterface } from 'node:readline/promises';
import type { ApproveCommands } from '@qoder-orch/core';
import type { CliInput, CliOutput } from './cli-io';
import type { Style } from '../render/terminal-style';

export interface CommandApproverOptions {
  input: CliInput;
  output: CliOutput;
  style: Style;
  abortSignal?: AbortSignal;
}

/**
 * Asks on the terminal, one command at a time, whether a command the plan proposes (and the
 * policy neither allows nor refuses) may run. Anything but "y"/"yes" is a no.
 */
export function createCommandApprover(options: CommandApproverOptions): ApproveCommands {
  return async (request) => {
    const lines = createInterface({ input: options.input, output: { write: (text: string) => options.output.write(text) } as unknown as NodeJS.WritableStream, terminal: false });
    const answers: boolean[] = [];
    try {
      options.output.write(`\n${options.style.bold(`${request.commands.length} proposed check(s) need your approval before they run:`)}\n`);
      for (const review of request.commands) {
        options.output.write(`  ${review.taskId}: ${review.command.join(' ')}${review.cwd === undefined ? '' : ` (in ${review.cwd})`}\n  ${options.style.dim(review.reason)}\n`);
        const answer = await lines.question('  Run it? [y/N] ', options.abortSignal ? { signal: options.abortSignal } : {}).catch(() => '');
        answers.push(/^\s*y(es)?\s*$/i.test(answer));
      }
    } finally {
      lines.close();
    }
    return answers;
  };
}
