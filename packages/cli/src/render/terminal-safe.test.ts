import { OrchestratorError } from '@qoder-orch/core';
import { describe, expect, it } from 'vitest';
import { printError } from '../cli/print-error';
import { captureOutput } from '../testing/capture-output';
import { createStyle } from './terminal-style';
import { terminalSafe, terminalSafeText } from './terminal-safe';

describe('terminalSafe', () => {
  it('shows controls as escapes and keeps tabs, newlines and other text', () => {
    expect(terminalSafeText('a\tb\nc\u001B[31m\u0000\u009B\u2066é✓')).toBe('a\tb\nc\\x1b[31m\\x00\\x9b\\u2066é✓');
  });

  it('copies plain data with every string made safe, leaving the original alone', () => {
    const value = { title: 'x\u001B]0;t\u0007', nested: [{ text: '\r' }], count: 3, flag: true, none: null };
    expect(terminalSafe(value)).toEqual({ title: 'x\\x1b]0;t\\x07', nested: [{ text: '\\x0d' }], count: 3, flag: true, none: null });
    expect(value.title).toBe('x\u001B]0;t\u0007');
  });

  it('keeps an error message that quotes model output from acting on the terminal', () => {
    const output = captureOutput({ isTTY: false, columns: 100 });
    printError(output, new OrchestratorError({ code: 'PLAN_INVALID', message: 'The plan is invalid: title "\u001B]52;c;aGk=\u0007"', fix: 'Try again\r.' }), createStyle(false));
    expect(output.text()).toBe('error: The plan is invalid: title "\\x1b]52;c;aGk=\\x07" [PLAN_INVALID]\nhint: Try again\\x0d.\n');
  });
});
