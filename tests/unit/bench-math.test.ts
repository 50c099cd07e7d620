/**
 * The arithmetic the benchmark's figures rest on (bench/lib): nearest-rank percentiles, and the
 * CPU profile summary (self and inclusive time, per function and per area).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeProfile } from '../../bench/lib/cpuprofile';
import { table } from '../../bench/lib/report';
import { percentile, summarize } from '../../bench/lib/stats';

describe('percentiles (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('p50, p95 and p99 of 1..100 are 50, 95 and 99; p100 is the max', () => {
    expect([percentile(hundred, 50), percentile(hundred, 95), percentile(hundred, 99), percentile(hundred, 100)]).toEqual([
      50, 95, 99, 100,
    ]);
  });

  it('summarize sorts a copy and reports n, mean, min and max', () => {
    const shuffled = [5, 1, 4, 2, 3];
    expect(summarize(shuffled)).toEqual({ n: 5, p50: 3, p95: 5, p99: 5, mean: 3, min: 1, max: 5 });
    expect(shuffled).toEqual([5, 1, 4, 2, 3]);
  });

  it('one slow sample in 100 shows only as the max; two show at p99 (nearest rank)', () => {
    const samples = [...Array.from({ length: 99 }, () => 1), 40];
    const summary = summarize(samples);
    expect(summary.p95).toBe(1);
    expect(summary.p99).toBe(1);
    expect(summary.max).toBe(40);
    const twoSlow = summarize([...Array.from({ length: 98 }, () => 1), 40, 40]);
    expect(twoSlow.p99).toBe(40);
  });

  it('no samples give NaN, never a made-up zero', () => {
    expect(summarize([]).p50).toBeNaN();
  });
});

describe('CPU profile summary', () => {
  // root → handler (qrlogin) → verify (jsonwebtoken) ; root → (garbage collector) ; root → (idle)
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4, 5] },
      { id: 2, callFrame: { functionName: 'handler', url: 'file:///srv/dist/server/index.js', lineNumber: 9 }, children: [3] },
      {
        id: 3,
        callFrame: { functionName: 'verify', url: 'file:///srv/node_modules/jsonwebtoken/verify.js', lineNumber: 20 },
        children: [],
      },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 }, children: [] },
      { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, children: [] },
    ],
    startTime: 0,
    endTime: 100_000,
    // 10 ms in handler itself, 30 ms in verify, 10 ms GC, 50 ms idle (time deltas in µs).
    samples: [2, 3, 3, 3, 4, 5, 5, 5, 5, 5],
    timeDeltas: Array.from({ length: 10 }, () => 10_000),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'qrlogin-prof-')), 'p.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  const summary = summarizeProfile(file);

  it('leaves idle out of the busy time', () => {
    expect(summary.busyMs).toBe(50);
  });

  it('sums self time per area: our code, each package, GC', () => {
    expect(summary.areas).toEqual([
      { area: 'jsonwebtoken', ms: 30, share: 0.6 },
      { area: 'qrlogin', ms: 10, share: 0.2 },
      { area: 'GC', ms: 10, share: 0.2 },
    ]);
  });

  it('inclusive time charges a callee to its callers', () => {
    const handler = summary.inclusive.find((entry) => entry.fn.startsWith('handler '));
    const verify = summary.inclusive.find((entry) => entry.fn.startsWith('verify '));
    expect(handler).toMatchObject({ ms: 40, area: 'qrlogin' });
    expect(verify).toMatchObject({ ms: 30, area: 'jsonwebtoken' });
    expect(summary.functions[0]).toMatchObject({ fn: 'verify verify.js:21', ms: 30 });
  });
});

describe('report tables', () => {
  it('are Markdown with padded columns and 2-decimal numbers; NaN shows as a dash', () => {
    expect(
      table(
        ['a', 'value'],
        [
          ['x', 1.23456],
          ['long name', Number.NaN],
        ],
      ).split('\n'),
    ).toEqual(['| a         | value |', '|-----------|-------|', '| x         | 1.23  |', '| long name | —     |']);
  });
});
