import type { Style } from './terminal-style';

const RULE = '='.repeat(64);

/** The seed's block heading: a rule, the title in capitals, a rule. */
export function heading(title: string, style: Style): string {
  return `${style.dim(RULE)}\n${style.bold(title.toUpperCase())}\n${style.dim(RULE)}`;
}
