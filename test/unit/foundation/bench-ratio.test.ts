import { afterEach, describe, expect, it, vi } from 'vitest';
import { legOf, median, percentile, printRatio, type Leg } from '../../../scripts/lib/bench-ratio.ts';

const full = (label: string, n = 200): Leg => ({ label, attempted: n, succeeded: n });

describe('bench ratio guard (scripts/lib/bench-ratio.ts)', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('prints the ratio when both legs ran completely', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(printRatio('bench-x', 'ratio a / b', { baseline: full('nginx'), subject: full('diemcau') }, 2.0612)).toBe(true);
    expect(log).toHaveBeenCalledWith('ratio a / b: 2.06');
    expect(process.exitCode).toBeUndefined();
  });

  it('refuses when the baseline failed (the nginx 403 case), saying why, and fails the run', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const baseline: Leg = { label: 'nginx', attempted: 200, succeeded: 0, firstError: 'status 403, 153 bytes' };
    expect(printRatio('bench-download', 'ratio', { baseline, subject: full('diemcau') }, Infinity)).toBe(false);
    expect(log).not.toHaveBeenCalled();
    expect(err.mock.calls[0]![0]).toMatch(/refusing.*\n.*baseline "nginx" did not run completely: 0\/200 succeeded \(first error: status 403/s);
    expect(process.exitCode).toBe(1);
  });

  it('refuses a partial measured leg, an empty leg and a non-finite ratio', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(printRatio('b', 'r', { baseline: full('base'), subject: { label: 's', attempted: 200, succeeded: 199 } }, 1)).toBe(false);
    expect(printRatio('b', 'r', { baseline: full('base', 0), subject: full('s') }, 1)).toBe(false);
    expect(printRatio('b', 'r', { baseline: full('base'), subject: full('s') }, NaN)).toBe(false);
    expect(log).not.toHaveBeenCalled();
  });

  it('legOf counts settled results and keeps the first error', () => {
    const leg = legOf('x', [
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('boom') },
      { status: 'rejected', reason: new Error('later') },
    ]);
    expect(leg).toEqual({ label: 'x', attempted: 3, succeeded: 1, firstError: 'boom' });
  });

  it('percentile is the nearest rank of the sorted values, median the middle (or the mean of the two middles)', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(xs[0]).toBe(100); // the input is not sorted in place
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
