import { describe, expect, it } from 'vitest';
import { describeTestSummary, parseTestSummary } from './test-summary';

describe('parseTestSummary', () => {
  it('reads node --test TAP counts at the end of a long output, not the first lines', () => {
    const body = Array.from({ length: 400 }, (_, index) => `ok ${index + 1} - case ${index + 1}\n  ---\n  duration_ms: 0.1\n  ...`).join('\n');
    const output = `TAP version 13\n${body}\nnot ok 401 - breaks\n1..401\n# tests 401\n# suites 0\n# pass 400\n# fail 1\n# cancelled 0\n# skipped 2\n# todo 0\n# duration_ms 120.5`;
    expect(parseTestSummary(output)).toMatchObject({ runner: 'node-test', total: 401, passed: 400, failed: 1, skipped: 2, lines: ['# tests 401', '# pass 400', '# fail 1'] });
  });

  it('reads the node --test spec reporter', () => {
    expect(parseTestSummary('✔ adds (0.5ms)\nℹ tests 3\nℹ suites 0\nℹ pass 3\nℹ fail 0\nℹ skipped 0')).toMatchObject({ runner: 'node-test', total: 3, passed: 3, failed: 0 });
  });

  it('reads vitest, with colours', () => {
    const output =
      ' ✓ src/a.test.ts (3 tests) 4ms\n\n\u001B[2m Test Files \u001B[22m \u001B[1m\u001B[31m1 failed\u001B[39m\u001B[22m\u001B[2m | \u001B[22m\u001B[1m\u001B[32m2 passed\u001B[39m\u001B[22m\u001B[90m (3)\u001B[39m\n\u001B[2m      Tests \u001B[22m \u001B[1m\u001B[31m1 failed\u001B[39m\u001B[22m\u001B[2m | \u001B[22m\u001B[1m\u001B[32m11 passed\u001B[39m\u001B[22m | 1 skipped\u001B[90m (13)\u001B[39m\n   Start at  10:00:00';
    expect(parseTestSummary(output)).toMatchObject({ runner: 'vitest', passed: 11, failed: 1, skipped: 1, total: 13 });
  });

  it('reads jest', () => {
    const output = 'FAIL src/a.test.js\n  ● adds\n\nTest Suites: 1 failed, 1 passed, 2 total\nTests:       1 failed, 11 passed, 12 total\nSnapshots:   0 total\nTime:        1.2 s';
    expect(parseTestSummary(output)).toMatchObject({ runner: 'jest', passed: 11, failed: 1, total: 12, lines: ['Test Suites: 1 failed, 1 passed, 2 total', 'Tests:       1 failed, 11 passed, 12 total'] });
  });

  it('reads mocha', () => {
    expect(parseTestSummary('  adds\n    ✓ works\n\n  11 passing (20ms)\n  2 pending\n  1 failing\n\n  1) adds\n     AssertionError')).toMatchObject({ runner: 'mocha', passed: 11, failed: 1, skipped: 2 });
  });

  it('reads pytest, verbose and -q', () => {
    expect(parseTestSummary('tests/test_a.py ..F.s\n=========== 1 failed, 3 passed, 1 skipped in 0.12s ===========')).toMatchObject({ runner: 'pytest', passed: 3, failed: 1, skipped: 1 });
    expect(parseTestSummary('.....\n5 passed in 0.01s')).toMatchObject({ runner: 'pytest', passed: 5, failed: 0 });
  });

  it('reads go test and cargo test', () => {
    expect(parseTestSummary('=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n--- FAIL: TestB (0.00s)\nFAIL\nFAIL\texample.com/m\t0.01s\nok  \texample.com/m/sub\t0.01s')).toMatchObject({
      runner: 'go-test',
      passed: 1,
      failed: 1,
      lines: ['packages: 1 ok, 1 failed', '--- FAIL: TestB (0.00s)'],
    });
    const cargo =
      'running 3 tests\ntest a ... ok\ntest result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\nrunning 1 test\ntest result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out';
    expect(parseTestSummary(cargo)).toMatchObject({ runner: 'cargo-test', passed: 3, failed: 1, skipped: 1, total: 5 });
  });

  it('finds nothing in output that is not a runner summary', () => {
    expect(parseTestSummary('compiled 12 files\nall good')).toBeUndefined();
    expect(parseTestSummary('')).toBeUndefined();
  });

  it('describes a summary in one line', () => {
    expect(describeTestSummary({ runner: 'jest', passed: 11, failed: 1, total: 12, lines: [] })).toBe('jest: 11 passed, 1 failed of 12');
  });
});
