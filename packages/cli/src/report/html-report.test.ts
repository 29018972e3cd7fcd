import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@qoder-orch/core';
import { escapeHtml, renderHtmlReport, reportFromEvents } from '../index';
import { decodePng } from '../testing/decode-png';
import { findChromium } from '../testing/find-chromium';
import { HOSTILE_OBJECTIVE, sampleRunEvents } from '../testing/sample-run-events';

const run = promisify(execFile);
const html = renderHtmlReport(reportFromEvents(sampleRunEvents()), { generatedAt: '2026-11-25T17:46:00.000Z' });

describe('renderHtmlReport', () => {
  it('escapes every string from the run: objective and agent output are hostile', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(HOSTILE_OBJECTIVE));
    expect(html).toContain('Rendered &lt;img src=x onerror=alert(1)&gt; in the list');
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });

  it('shows changes to the checks and conflicting work that did not land, escaped', () => {
    const events = sampleRunEvents();
    const end = events.findIndex((event) => event.type === 'run-end');
    const runEnd = events[end] as EventEnvelope<'run-end'>;
    events[end] = {
      ...runEnd,
      summary: {
        ...runEnd.summary,
        checkChanges: [{ path: 'package.json', kind: 'test-script', detail: 'script "test" changed from "node --test" to "node --test || true"', isBlocking: true, taskId: 'qa' }],
        isCheckChangeAccepted: false,
        conflicts: [{ taskId: 'ui', ref: 'refs/qoder-orch/leftovers/r/ui/conflict', baseCommit: 'c'.repeat(40), files: ['<b>.js'], isLanded: false, missing: [] }],
      },
    };
    const page = renderHtmlReport(reportFromEvents(events));
    expect(page).toContain('<h2>Changes to the checks</h2>');
    expect(page).toContain('script &quot;test&quot; changed from &quot;node --test&quot; to &quot;node --test || true&quot;');
    expect(page).toContain('<code>refs/qoder-orch/leftovers/r/ui/conflict</code>');
    expect(html).not.toContain('Changes to the checks');
  });

  it('names the run branch, escaped', () => {
    const events = sampleRunEvents();
    const end = events.findIndex((event) => event.type === 'run-end');
    const runEnd = events[end] as EventEnvelope<'run-end'>;
    events[end] = { ...runEnd, summary: { ...runEnd.summary, branch: { name: 'feature/<b>login', head: 'd'.repeat(40), returnedTo: 'main' } } };
    const page = renderHtmlReport(reportFromEvents(events));
    expect(page).toContain(`feature/&lt;b&gt;login at ${'d'.repeat(12)}`);
    expect(html).not.toContain('>Branch<');
  });

  it('is self-contained: no external assets', () => {
    expect(html).not.toMatch(/<link\b|\bsrc=["']?https?:|url\(\s*["']?https?:|@import/i);
  });

  it('draws the task graph layered by dependency depth, with one edge per dependency', () => {
    const graph = html.slice(html.indexOf('<svg class="graph"'), html.indexOf('</svg>', html.indexOf('<svg class="graph"')));
    expect(graph.match(/<g class="node"/g)).toHaveLength(5);
    expect(graph.match(/<path class="edge"/g)).toHaveLength(5);
    const xOf = (id: string) => Number(new RegExp(`translate\\((\\d+),\\d+\\)"><title>${id} `).exec(graph)?.[1]);
    expect(xOf('api-contract')).toBeLessThan(xOf('backend-due-dates'));
    expect(xOf('backend-due-dates')).toBe(xOf('frontend-due-dates'));
    expect(xOf('backend-due-dates')).toBeLessThan(xOf('overdue-filter'));
    expect(xOf('overdue-filter')).toBe(xOf('qa-due-dates'));
  });

  it('draws every dependency, long ones around the layers in between', async () => {
    const text = await readFile(new URL('../__fixtures__/demo-run.events.ndjson', import.meta.url), 'utf8');
    const page = renderHtmlReport(
      reportFromEvents(
        text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ),
    );
    const titles = [...page.matchAll(/<path class="edge" d="([^"]+)"[^>]*><title>([^<]+)<\/title>/g)].map((match) => [match[2], match[1]]);
    expect(titles.map(([title]) => title).sort()).toEqual([
      'api-contract → backend-due-dates',
      'api-contract → frontend-due-dates',
      'backend-due-dates → overdue-filter',
      'backend-due-dates → qa-due-dates',
      'frontend-due-dates → qa-due-dates',
      'overdue-filter → qa-due-dates',
    ]);
    // backend → qa skips overdue-filter on the same row: it goes round through a lane below.
    const around = titles.find(([title]) => title === 'backend-due-dates → qa-due-dates')![1]!;
    const lowest = Math.max(...[...around.matchAll(/,(\d+(?:\.\d+)?)/g)].map((match) => Number(match[1])));
    const nodeBottoms = [...page.matchAll(/<g class="node" transform="translate\(\d+,(\d+)\)">/g)].map((match) => Number(match[1]) + 50);
    expect(lowest).toBeGreaterThan(Math.max(...nodeBottoms));
  });

  it('renders a run that never ended (killed): no summary, still every task that finished', () => {
    const events = sampleRunEvents();
    const cut = events.slice(
      0,
      events.findIndex((event) => event.type === 'contract-end'),
    );
    const page = renderHtmlReport(reportFromEvents(cut));
    expect(page).toContain('>running<');
    expect(page.match(/<g class="bar">/g)).toHaveLength(5);
    expect(page).toContain('The judge did not run.');
    expect(page).toContain('Not checked in this run.');
  });

  it('draws a timeline with one bar per task on its slot and a mark for each retry', () => {
    const timeline = html.slice(html.indexOf('<svg class="timeline"'), html.indexOf('</svg>', html.indexOf('<svg class="timeline"')));
    expect(timeline.match(/<g class="bar">/g)).toHaveLength(5);
    expect(timeline.match(/>slot \d</g)).toEqual(['>slot 0<', '>slot 1<', '>slot 2<']);
    expect(timeline.match(/<path class="retry"/g)).toHaveLength(1);
  });

  it('shows each result with retries, cost, diff stat and checks, the verdict with evidence, and the contract', () => {
    expect(html).toContain('attempt 2 after 1.0s: VERIFICATION_FAILED: node --test failed (exit 1)');
    expect(html).toContain('<b>Diff stat</b>: 2 files changed');
    expect(html).toContain('not ok 3 - rejects an invalid dueDate');
    expect(html).toContain('contract check PASSED: 4 endpoints agree');
    expect(html).toContain('objective met');
    expect(html).toContain('served but not documented');
    expect(html).toContain('$0.12');
  });
});

const chromium = findChromium();

describe.skipIf(!chromium)("report.html in headless Chromium (needs Debian's `chromium` package: apt-get install -y chromium)", () => {
  let directory: string | undefined;
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('renders to a non-trivial screenshot', async () => {
    directory = await mkdtemp(join(tmpdir(), 'qoder-orch-report-'));
    const page = join(directory, 'report.html');
    const screenshot = join(directory, 'report.png');
    await writeFile(page, html);
    await run(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        '--no-first-run',
        `--user-data-dir=${join(directory, 'profile')}`,
        '--window-size=1280,2000',
        `--screenshot=${screenshot}`,
        `file://${page}`,
      ],
      { timeout: 60_000 },
    );
    expect((await stat(screenshot)).size).toBeGreaterThan(30_000);
    const png = decodePng(await readFile(screenshot));
    expect([png.width, png.height]).toEqual([1280, 2000]);
    // Not blank: many colours, and no single colour covers (almost) everything.
    const counts = new Map<number, number>();
    let samples = 0;
    for (let y = 0; y < png.height; y += 7) {
      for (let x = 0; x < png.width; x += 7) {
        const at = (y * png.width + x) * png.channels;
        const color = (png.pixels[at]! << 16) | (png.pixels[at + 1]! << 8) | png.pixels[at + 2]!;
        counts.set(color, (counts.get(color) ?? 0) + 1);
        samples += 1;
      }
    }
    expect(counts.size).toBeGreaterThan(50);
    expect(Math.max(...counts.values()) / samples).toBeLessThan(0.9);
    // The header band is the dark colour of the stylesheet (#1f2a35): the CSS was applied.
    const headerAt = (20 * png.width + 20) * png.channels;
    expect([png.pixels[headerAt], png.pixels[headerAt + 1], png.pixels[headerAt + 2]]).toEqual([0x1f, 0x2a, 0x35]);
    if (process.env['QODER_ORCH_KEEP_SCREENSHOT']) await writeFile(process.env['QODER_ORCH_KEEP_SCREENSHOT'], await readFile(screenshot));
  });
});

describe('renderHtmlReport on a recorded run (the offline demo, real Claude Code 2.1.197 against the scripted fake API)', () => {
  it('shows the real run: five tasks on two slots, every check passed, the contract and the verdict', async () => {
    const text = await readFile(new URL('../__fixtures__/demo-run.events.ndjson', import.meta.url), 'utf8');
    const events = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Parameters<typeof reportFromEvents>[0][number]);
    const report = reportFromEvents(events);
    expect(report.summary?.status).toBe('met');
    const page = renderHtmlReport(report);
    expect(page.match(/<g class="node"/g)).toHaveLength(5);
    expect(page.match(/<g class="bar">/g)).toHaveLength(5);
    expect(page.match(/>slot \d</g)).toEqual(['>slot 0<', '>slot 1<']);
    expect(page).toContain('4 served by the backend, 3 called by the frontend');
    expect(page).not.toContain('<span class="bad">failed');
    expect(page).toContain('<code>app/api/todos/route.js</code>');
  });
});
