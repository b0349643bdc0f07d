/** The voting benches' client side (bench-voting.ts, bench-voting-nodes.ts): sockets, acks, one vote per socket. */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.ts';

export type BenchSocket = ReturnType<typeof io>;

/** A delegate's socket on `url`, websocket only, no reconnection (a bench counts a drop as a failure). */
export const openSocket = (url: string, token: string) =>
  new Promise<BenchSocket>((resolve, reject) => {
    const s = io(url, { auth: { protocol: PROTOCOL_VERSION, token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });

/** Sends a command and resolves its data; a refusal or no answer within 60 s throws. */
export async function ack<T>(s: BenchSocket, event: string, payload: unknown): Promise<T> {
  const res = (await s.timeout(60_000).emitWithAck(event, payload)) as { ok: boolean; data?: T; error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`${event}: ${res.error?.code} ${res.error?.message}`);
  return res.data as T;
}

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
