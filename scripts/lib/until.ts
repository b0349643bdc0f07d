/** Polling shared by the benches and the tests: one loop, so every wait reports a timeout the same way. */

/**
 * How long a test waits for something that should happen (packets, a broadcast, a replacement
 * worker) before failing by name. Generous: a wait returns as soon as its condition holds, and the
 * suite runs beside other work on 2 cores, where 2-6 s deadlines failed (19 of 30 video packets in 5 s).
 */
export const WAIT_MS = 20_000;

/**
 * Reads `read()` every `stepMs` until `ok` accepts the value, and returns it; throws after
 * `timeoutMs` naming `what` and the last value read (what it was stuck on).
 */
export async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = WAIT_MS, stepMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** `p`, or an error naming `what` once `timeoutMs` has passed (a hung step fails by name, not by the test's timeout). */
export async function withDeadline<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
