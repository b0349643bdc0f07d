/** One vote per socket, as both voting benches cast them (bench-voting.ts, bench-voting-nodes.ts). */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const CHOICES = ['yes', 'no', 'abstain'];
const now = () => performance.timeOrigin + performance.now();

/**
 * Every socket casts once on `pollId` through `ack` (which throws on a refusal): all at once
 * (spreadMs 0) or evenly over spreadMs. Returns each cast's settled cast→ack time, the latencies of
 * those that succeeded (NaN alone when none did), and the wall time of the whole.
 */
export async function castAll<S>(sockets: readonly S[], pollId: number, spreadMs: number, ack: (s: S, event: string, payload: unknown) => Promise<unknown>) {
  const t0 = now();
  const results = await Promise.allSettled(
    sockets.map(async (s, i) => {
      if (spreadMs) await new Promise((r) => setTimeout(r, (i * spreadMs) / sockets.length));
      const t = now();
      await ack(s, 'vote:cast', { pollId, choices: [CHOICES[i % 3]], ballotId: randomUUID() });
      return now() - t;
    }),
  );
  const lat = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  return { results, lat: lat.length ? lat : [NaN], wall: now() - t0 };
}
