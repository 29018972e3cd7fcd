import type { TaskResult } from '@qoder-orch/core';
import { describe, expect, it } from 'vitest';
import { sampleResults } from '../testing/sample-run-events';
import { renderTimelineSvg } from './timeline-svg';

const at = (second: number) => new Date(Date.UTC(2026, 11, 2, 9, 0, second)).toISOString();
const onSlot = (taskId: string, slot: number, start: number, end: number): TaskResult => ({ ...sampleResults[0]!, taskId, slot, startedAt: at(start), endedAt: at(end), durationMs: (end - start) * 1000 });
/** The y of each task's bar, by task id (from its tooltip). */
function barRows(svg: string): Map<string, number> {
  return new Map([...svg.matchAll(/<g class="bar"><title>(\S+)[^<]*<\/title><rect x="[\d.]+" y="(\d+)"/g)].map((match) => [match[1]!, Number(match[2])]));
}

describe('renderTimelineSvg', () => {
  it('gives a slot a second row while a task that gave the slot back is still merging, so no two bars overlap', () => {
    // `a` committed at 10 s and gave slot 0 to `b`; its merge and checks ended at 12 s.
    const svg = renderTimelineSvg([onSlot('a', 0, 0, 12), onSlot('b', 0, 10, 20), onSlot('c', 0, 21, 25), onSlot('d', 1, 0, 8)], []);
    expect(svg.match(/>slot [^<]*</g)).toEqual(['>slot 0<', '>slot 0·2<', '>slot 1<']);
    const rows = barRows(svg);
    expect(rows.get('a')).not.toBe(rows.get('b'));
    // `c` starts after `a` ended: back on the slot's first row.
    expect(rows.get('c')).toBe(rows.get('a'));
    expect(new Set(rows.values()).size).toBe(3);
  });

  it('keeps one row per slot when no tasks overlap', () => {
    const svg = renderTimelineSvg([onSlot('a', 0, 0, 5), onSlot('b', 0, 5, 9), onSlot('c', 2, 1, 3)], []);
    expect(svg.match(/>slot [^<]*</g)).toEqual(['>slot 0<', '>slot 2<']);
  });
});
