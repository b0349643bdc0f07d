/** Process checks shared by the tests that start or clean up child processes. */

/**
 * Whether `pid` is a running process (signal 0 probes without signalling). A process we may
 * not signal (EPERM: another user's) counts as alive only with `epermAlive`: cleanup that must
 * not touch what another run still owns wants that; a test of its own children does not.
 */
export function alive(pid: number, { epermAlive = false } = {}): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return epermAlive && (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
