/** Something the store worked around; given to `onWarning`, never thrown. */
export interface ContextWarning {
  code: 'EMBEDDING_UNAVAILABLE' | 'SUBAGENT_INVALID' | 'SOURCE_SKIPPED' | 'RULES_OVER_BUDGET' | 'CACHE_UNWRITABLE';
  message: string;
  cause?: unknown;
}
