import { describe, expect, it } from 'vitest';
import { createStyle, LiveProgress } from '../index';
import { captureOutput } from '../testing/capture-output';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*[A-Za-z]/g;

describe('LiveProgress', () => {
  it('never writes a live line wider than the terminal, so redrawing in place stays exact', () => {
    const output = captureOutput({ isTTY: true, columns: 60 });
    let now = 1_000_000;
    const live = new LiveProgress({ output, style: createStyle(true), now: () => now });
    live.setTotals(3);
    live.start({ taskId: 'a-very-long-task-identifier-that-goes-on-and-on', agent: 'backend-developer-extraordinaire', attempt: 2, startedAtMs: now });
    live.start({ taskId: 'short', agent: 'qa-agent', attempt: 1, startedAtMs: now });
    live.activity('short', `Edit ${'/very/long/path/'.repeat(10)}file.js`);
    now += 65_000;
    live.draw();
    live.stop();
    const frames = output.text().split(/\u001B\[\d+A\r\u001B\[0J/);
    const last = frames.filter((frame) => frame.includes('short')).at(-1)!;
    const lines = last.replace(ANSI, '').split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(59);
    expect(lines[0]).toBe('running 2 · 0/3 done');
    expect(lines[2]).toMatch(/^. short\s+\[qa-agent\]\s+1m 05s\s+Edi…$/);
    expect(lines[1]).toMatch(/^. a-very-long-task-identi… {2}\[backend-devel…\] {2}1m 05s {2}try/);
  });

  it('erases exactly the lines it drew before printing above them', () => {
    const output = captureOutput({ isTTY: true, columns: 80 });
    const live = new LiveProgress({ output, style: createStyle(false), now: () => 0 });
    live.start({ taskId: 'one', agent: 'architect', attempt: 1, startedAtMs: 0 });
    live.start({ taskId: 'two', agent: 'architect', attempt: 1, startedAtMs: 0 });
    live.draw();
    live.print('✓ one completed');
    live.stop();
    const text = output.text();
    // Header + two tasks = 3 lines up, then the permanent line, then the block again.
    expect(text).toContain('\u001B[3A\r\u001B[0J✓ one completed\n');
    expect(text.endsWith('\u001B[3A\r\u001B[0J')).toBe(true);
  });
});
