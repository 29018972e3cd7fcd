import type { ContextRefreshResult } from '@qoder-orch/spec';
import type { ContextWarning } from './context-warning';
import type { ContextStoreStats } from './context-store-options';

/** A ranking the store ran: from `search()` or from `contextFor()` when its answer was not cached. */
export interface ContextSearchEvent {
  query: string;
  k: number;
  ranking: 'semantic' | 'lexical';
  /** How many chunks were found (before packing). */
  matches: number;
  durationMs: number;
}

/** Events of a {@link ContextStore}; listen with `store.on(name, listener)`. */
export interface ContextStoreEvents {
  /** A refresh began reading the project's sources. */
  'refresh-start': [event: { projectDir: string }];
  /** A refresh is done: what changed, and the store's counters after it. */
  'refresh-finish': [event: { result: ContextRefreshResult; stats: ContextStoreStats }];
  search: [event: ContextSearchEvent];
  /** Something the store worked around (model missing, invalid subagent file …); never thrown. */
  warning: [warning: ContextWarning];
}
