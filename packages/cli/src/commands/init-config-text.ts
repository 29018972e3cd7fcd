import type { PurposeProvider } from '@qoder-orch/core';

export interface InitChoices {
  /** `llm.provider`: runs the tasks. */
  provider: string;
  planProvider?: PurposeProvider | undefined;
  judgeProvider?: PurposeProvider | undefined;
  /** The detected test command, if any. */
  testCommand?: readonly string[] | undefined;
}

/** A value as YAML reads it back unchanged: JSON strings and arrays are YAML. */
const yamlValue = (value: unknown) => JSON.stringify(value);

function purposeLine(key: string, choice: PurposeProvider | undefined, example: string): string {
  if (choice === undefined) return `  # ${key}: ${example}`;
  if (typeof choice === 'string') return `  ${key}: ${yamlValue(choice)}`;
  const fields = [`name: ${yamlValue(choice.name)}`, ...(choice.baseUrl ? [`base_url: ${yamlValue(choice.baseUrl)}`] : []), ...(choice.apiKeyEnv ? [`api_key_env: ${yamlValue(choice.apiKeyEnv)}`] : [])];
  return `  ${key}: { ${fields.join(', ')} }`;
}

/** The commented `.qoder-orchestrate.yaml` that `qoder-orchestrate init` writes. */
export function initConfigText(choices: InitChoices): string {
  const testLine = choices.testCommand
    ? `  test_command: ${yamlValue(choices.testCommand)}   # detected: the project's own tests, run as evidence after each iteration`
    : '  # test_command: ["npm", "test"]   # none detected: the command that runs your tests, run as evidence after each iteration';
  return [
    '# qoder-orchestrate settings, written by `qoder-orchestrate init`.',
    '# Later wins: built-in defaults < this file < QODER_ORCH_* environment variables < command-line flags.',
    '# Every key: `qoder-orchestrate --help` and packages/core/README.md.',
    'execution:',
    '  max_parallel: 3          # tasks at once (1-64); each runs in its own git worktree',
    '  max_iterations: 3        # plan → run → judge rounds before giving up',
    '  # budget_usd: 5          # stop cleanly when the spend passes this',
    testLine,
    'llm:',
    `  provider: ${yamlValue(choices.provider)}   # runs the tasks: qoder | claude | codex | gemini | a module path`,
    '  # Planning and judging are completions: any model can do them, in one HTTP request, with its',
    '  # key from the environment (ANTHROPIC_API_KEY, OPENAI_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY).',
    purposeLine('plan_provider', choices.planProvider, 'ai-sdk:anthropic/claude-sonnet-4-5'),
    purposeLine('judge_provider', choices.judgeProvider, '{ name: "ai-sdk:openai-compatible/qwen2.5-coder:14b", base_url: "http://localhost:11434/v1" }'),
    '  timeout: 300             # seconds per planning or judging call',
    'validation:',
    '  command_policy:',
    '    mode: ask              # verify commands a plan proposes that are not the project’s own: ask | refuse | allow-all',
    'rollback:',
    '  auto_rollback_on_failure: false   # roll a task that fails for good back to its checkpoint',
    '',
  ].join('\n');
}
