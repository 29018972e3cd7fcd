import type { CliOutput } from '../cli/cli-io';

type Paint = (text: string) => string;

/** ANSI colours that turn into no-ops when colour is off. */
export interface Style {
  readonly isEnabled: boolean;
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  magenta: Paint;
}

const paint =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001B[${open}m${text}\u001B[${close}m`;
const plain: Paint = (text) => text;

export function createStyle(isEnabled: boolean): Style {
  if (!isEnabled) return { isEnabled, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, magenta: plain };
  return {
    isEnabled,
    bold: paint(1, 22),
    dim: paint(2, 22),
    red: paint(31, 39),
    green: paint(32, 39),
    yellow: paint(33, 39),
    cyan: paint(36, 39),
    magenta: paint(35, 39),
  };
}

/**
 * Colours only on a terminal, never with `NO_COLOR` (any non-empty value, see no-color.org),
 * `--no-color`, `TERM=dumb` or `--json`.
 */
export function isColorWanted(input: { output: CliOutput; env: Readonly<Record<string, string | undefined>>; isColorAllowed: boolean; isJson: boolean }): boolean {
  if (!input.isColorAllowed || input.isJson) return false;
  if (input.env['NO_COLOR'] !== undefined && input.env['NO_COLOR'] !== '') return false;
  if (input.env['TERM'] === 'dumb') return false;
  return input.output.isTTY === true;
}
