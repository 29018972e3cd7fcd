import { ConfigError } from '@qoder-orch/spec';
import type { ConfigOverrides } from './config-schema';

type Kind = 'integer' | 'number' | 'boolean' | 'string' | 'list';

/** `QODER_ORCH_<NAME>` → config key. Documented in the README. */
export const ENVIRONMENT_KEYS: ReadonlyArray<{ name: string; section: keyof ConfigOverrides; key: string; kind: Kind }> = [
  { name: 'QODER_ORCH_MAX_PARALLEL', section: 'execution', key: 'maxParallel', kind: 'integer' },
  { name: 'QODER_ORCH_MAX_ITERATIONS', section: 'execution', key: 'maxIterations', kind: 'integer' },
  { name: 'QODER_ORCH_ISOLATION', section: 'execution', key: 'isolation', kind: 'string' },
  { name: 'QODER_ORCH_BUDGET_USD', section: 'execution', key: 'budgetUsd', kind: 'number' },
  { name: 'QODER_ORCH_TASK_TIMEOUT', section: 'execution', key: 'taskTimeout', kind: 'integer' },
  { name: 'QODER_ORCH_ENABLE_SPECULATIVE', section: 'execution', key: 'enableSpeculative', kind: 'boolean' },
  { name: 'QODER_ORCH_WORKTREE_ROOT', section: 'execution', key: 'worktreeRoot', kind: 'string' },
  { name: 'QODER_ORCH_ENABLE_BATCH_PROCESSING', section: 'execution', key: 'enableBatchProcessing', kind: 'boolean' },
  { name: 'QODER_ORCH_WORKSPACE_DEPENDENCIES', section: 'workspace', key: 'dependencies', kind: 'string' },
  { name: 'QODER_ORCH_REDIS', section: 'queue', key: 'redis', kind: 'string' },
  { name: 'QODER_ORCH_LLM_PROVIDER', section: 'llm', key: 'provider', kind: 'string' },
  { name: 'QODER_ORCH_PLAN_PROVIDER', section: 'llm', key: 'planProvider', kind: 'string' },
  { name: 'QODER_ORCH_JUDGE_PROVIDER', section: 'llm', key: 'judgeProvider', kind: 'string' },
  { name: 'QODER_ORCH_LLM_MODEL', section: 'llm', key: 'model', kind: 'string' },
  { name: 'QODER_ORCH_LLM_TIMEOUT', section: 'llm', key: 'timeout', kind: 'integer' },
  { name: 'QODER_ORCH_SEMANTIC_SEARCH', section: 'semanticSearch', key: 'enabled', kind: 'boolean' },
  { name: 'QODER_ORCH_MODEL_NAME', section: 'semanticSearch', key: 'modelName', kind: 'string' },
  { name: 'QODER_ORCH_MODEL_DIR', section: 'semanticSearch', key: 'modelDir', kind: 'string' },
  { name: 'QODER_ORCH_CACHE', section: 'cache', key: 'enabled', kind: 'boolean' },
  { name: 'QODER_ORCH_RETRY_MAX_ATTEMPTS', section: 'retry', key: 'maxAttempts', kind: 'integer' },
  { name: 'QODER_ORCH_AUTO_ROLLBACK', section: 'rollback', key: 'autoRollbackOnFailure', kind: 'boolean' },
  { name: 'QODER_ORCH_FAIL_ON_WARNINGS', section: 'validation', key: 'failOnWarnings', kind: 'boolean' },
];

const BOOLEANS: Record<string, boolean> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };

function convert(name: string, raw: string, kind: Kind): unknown {
  const text = raw.trim();
  const fail = (expected: string) => {
    throw new ConfigError([{ path: name, message: `cannot read ${JSON.stringify(raw)}`, expected }], 'environment');
  };
  switch (kind) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : fail('an integer');
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : fail('a number');
    case 'boolean': {
      const value = BOOLEANS[text.toLowerCase()];
      return value === undefined ? fail('true or false (also 1/0, yes/no, on/off)') : value;
    }
    case 'list':
      return text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
    default:
      return text;
  }
}

/** The overrides the `QODER_ORCH_*` variables ask for. Empty variables are ignored. */
export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): ConfigOverrides {
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const { name, section, key, kind } of ENVIRONMENT_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    (overrides[section] ??= {})[key] = convert(name, raw, kind);
  }
  return overrides as ConfigOverrides;
}
