import { randomBytes } from 'node:crypto';

/** A sortable, readable run id: `20261125-174512-ab12cd`. */
export function createRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
