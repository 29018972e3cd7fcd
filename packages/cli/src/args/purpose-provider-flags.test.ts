import { describe, expect, it } from 'vitest';
import { HELP_TEXT, parseArguments, UsageError } from '../index';

describe('--plan-provider and --judge-provider', () => {
  it('set llm.plan_provider and llm.judge_provider beside the task provider', () => {
    const command = parseArguments(['Add due dates', '--llm-provider', 'claude', '--plan-provider', 'ai-sdk:anthropic/claude-sonnet-4-5', '--judge-provider', ' ai-sdk:openai/gpt-4.1 ']);
    expect(command.kind === 'run' && command.options.overrides.llm).toEqual({ provider: 'claude', planProvider: 'ai-sdk:anthropic/claude-sonnet-4-5', judgeProvider: 'ai-sdk:openai/gpt-4.1' });
  });

  it('refuses an empty name', () => {
    expect(() => parseArguments(['x', '--plan-provider', ' '])).toThrow(UsageError);
    expect(() => parseArguments(['x', '--judge-provider', ''])).toThrow(/--judge-provider needs a name/);
  });

  it('are documented in the help, with the name format and an example', () => {
    expect(HELP_TEXT).toMatch(/--plan-provider <name>/);
    expect(HELP_TEXT).toMatch(/--judge-provider <name>/);
    expect(HELP_TEXT).toMatch(/ai-sdk:<anthropic\|openai\|google\|openai-compatible>\/<model>/);
    expect(HELP_TEXT).toMatch(/plan_provider: ai-sdk:anthropic\/claude-sonnet-4-5/);
  });
});
