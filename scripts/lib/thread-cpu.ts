/**
 * CPU time the calling thread has run, in ms (Linux: /proc/thread-self/schedstat; NaN elsewhere).
 * Unlike wall time it does not grow when other work shares the machine, so two servers' costs
 * compare even on a busy box.
 */
import { readFileSync } from 'node:fs';

export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}
