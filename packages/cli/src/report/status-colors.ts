import type { TaskStatus } from '@qoder-orch/core';

/** Fill colours per task status, shared by the graph, the timeline and the badges. */
export const STATUS_COLORS: Record<TaskStatus | 'planned', string> = {
  completed: '#2e7d32',
  failed: '#c62828',
  blocked: '#ef6c00',
  cancelled: '#6d6d6d',
  running: '#1565c0',
  pending: '#90a4ae',
  planned: '#90a4ae',
};
