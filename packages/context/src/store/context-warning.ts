/** Something the store worked around; emitted as a `warning` event, never thrown. */
export interface ContextWarning {
  code: 'EMBEDDING_UNAVAILABLE' | 'SUBAGENT_INVALID' | 'SOURCE_SKIPPED' | 'RULES_OVER_BUDGET' | 'CACHE_UNWRITABLE';
  message: string;
  cause?: unknown;
}
