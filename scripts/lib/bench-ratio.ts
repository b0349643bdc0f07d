/**
 * One rule for every bench: a ratio is printed only when the baseline it divides by
 * actually ran (every request/run of it succeeded) and so did the measured leg.
 * A half-run baseline gives nonsense ("Infinity", or a flattering ratio), so the
 * bench says why it refuses and exits non-zero instead.
 */

/** How one leg of a bench went. */
export interface Leg {
  label: string;
  /** Requests (or runs) started. */
  attempted: number;
  /** Of those, how many completed correctly. */
  succeeded: number;
  /** The first failure, to say why. */
  firstError?: string | undefined;
}

/** A leg from settled promises: counts them and keeps the first rejection's message. */
export function legOf(label: string, results: readonly PromiseSettledResult<unknown>[]): Leg {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return {
    label,
    attempted: results.length,
    succeeded: results.filter((r) => r.status === 'fulfilled').length,
    firstError: failed ? String((failed.reason as Error)?.message ?? failed.reason) : undefined,
  };
}

/** The `p`th percentile of `xs` by nearest rank (NaN when empty): the benches' latency p50 and p99. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
}

/** The median of `xs` (NaN when empty): what the benches that repeat a measurement report. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : NaN;
}

const complete = (l: Leg) => l.attempted > 0 && l.succeeded === l.attempted;

/**
 * Prints `name: ratio` when both legs ran completely and the ratio is a finite positive
 * number; otherwise explains on stderr, sets a failing exit code and returns false.
 */
export function printRatio(bench: string, name: string, legs: { baseline: Leg; subject: Leg }, ratio: number, digits = 2): boolean {
  const problems: string[] = [];
  for (const [role, leg] of [['baseline', legs.baseline], ['measured', legs.subject]] as const) {
    if (!complete(leg))
      problems.push(`${role} "${leg.label}" did not run completely: ${leg.succeeded}/${leg.attempted} succeeded${leg.firstError ? ` (first error: ${leg.firstError})` : ''}`);
  }
  if (!problems.length && !(Number.isFinite(ratio) && ratio > 0)) problems.push(`the ratio came out as ${ratio}`);
  if (problems.length) {
    console.error(`${bench}: refusing to print "${name}":\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
    return false;
  }
  console.log(`${name}: ${ratio.toFixed(digits)}`);
  return true;
}
