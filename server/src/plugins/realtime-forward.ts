/**
 * Runs a meeting's operations on the node that owns the meeting (lease.ts) and relays the answer:
 * any node accepts any command, but only the owner applies it, against its in-memory state.
 *
 * Request/reply over Redis pub/sub, on a channel per lease holder: PUBLISH answers how many
 * subscribers received the message, so a request to a holder that died (its connection to Redis
 * went with it) is known undelivered at once; then we wait out its lease, take the meeting over and
 * run the operation here. A request that was delivered but not answered in time is NOT run again
 * here (the owner may have applied it before dying): the caller gets NODE_UNREACHABLE and retries,
 * and the commands that matter for that (casts) are idempotent by their ballot id.
 *
 * Without Redis an operation simply runs here.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrorCode } from '@diemcau/shared';
import { AppError } from '../lib/app-error.ts';
import { toErrorResponse } from './errors.ts';
import type { MeetingLeases } from './lease.ts';
import type { RedisClient } from './redis.ts';

type Op = (meetingId: number, body: any) => unknown;

interface Request {
  id: string;
  from: string;
  meetingId: number;
  op: string;
  body: unknown;
}
type Reply =
  | { id: string; moved: true }
  | { id: string; ok: true; data: unknown }
  | { id: string; ok: false; status: number; error: { code: string; message: string } };

export interface Forwarder {
  /** Registers what `run(…, op, …)` does on the owner. */
  serve(op: string, fn: Op): void;
  /** Runs `op` for the meeting on its owner: here when we own it (or can take it), else on the holder of its lease. */
  run<T>(meetingId: number, op: string, body: unknown): Promise<T>;
  close(): Promise<void>;
}

const requestChannel = (holder: string) => `diemcau:fwd:${holder}`;
const replyChannel = (holder: string) => `diemcau:fwd-reply:${holder}`;

export async function createForwarder(
  redis: RedisClient | null,
  leases: MeetingLeases,
  opts: { timeoutMs: number; onError: (err: unknown, what: string) => void },
): Promise<Forwarder> {
  const ops = new Map<string, Op>();
  const runHere = async (meetingId: number, op: string, body: unknown) => {
    const fn = ops.get(op);
    if (!fn) throw new Error(`No owner operation ${op}`);
    return fn(meetingId, body);
  };
  const serve = (op: string, fn: Op) => void ops.set(op, fn);
  if (!redis || !leases.clustered) return { serve, run: (m, op, body) => runHere(m, op, body) as Promise<any>, close: async () => {} };

  const waiting = new Map<string, { resolve: (r: Reply | null) => void; timer: NodeJS.Timeout }>();
  // A subscribed connection can do nothing else, hence a second one.
  const sub = redis.duplicate();
  sub.on('error', (err: unknown) => opts.onError(err, 'redis (forwarding) connection error'));
  await sub.connect();

  const answer = (to: string, r: Reply) => void redis.publish(replyChannel(to), JSON.stringify(r)).catch((err: unknown) => opts.onError(err, 'replying to a forwarded operation failed'));
  await sub.subscribe(requestChannel(leases.holder), (raw) => {
    let req: Request;
    try {
      req = JSON.parse(raw) as Request;
    } catch (err) {
      return opts.onError(err, 'unreadable forwarded operation');
    }
    // The lease moved on (or lapsed) since the sender looked: it asks again.
    if (!leases.owns(req.meetingId)) return answer(req.from, { id: req.id, moved: true });
    runHere(req.meetingId, req.op, req.body).then(
      (data) => answer(req.from, { id: req.id, ok: true, data }),
      (err: unknown) => {
        const { status, body } = toErrorResponse(err);
        if (status >= 500) opts.onError(err, `forwarded ${req.op} failed`);
        answer(req.from, { id: req.id, ok: false, status, error: body.error });
      },
    );
  });
  await sub.subscribe(replyChannel(leases.holder), (raw) => {
    try {
      const r = JSON.parse(raw) as Reply;
      const w = waiting.get(r.id);
      if (!w) return;
      clearTimeout(w.timer);
      waiting.delete(r.id);
      w.resolve(r);
    } catch (err) {
      opts.onError(err, 'unreadable forwarded reply');
    }
  });

  const unreachable = (why: string) => new AppError('NODE_UNREACHABLE', 503, `The node running this meeting ${why}; try again`);

  async function run<T>(meetingId: number, op: string, body: unknown): Promise<T> {
    // Long enough to wait out a dead owner's lease and take over.
    const giveUpAt = performance.now() + 3 * opts.timeoutMs;
    for (;;) {
      const owner = await leases.claim(meetingId);
      if (owner === null) return (await runHere(meetingId, op, body)) as T;
      const id = randomUUID();
      const replied = new Promise<Reply | null>((resolve) => {
        const timer = setTimeout(() => (waiting.delete(id), resolve(null)), opts.timeoutMs);
        waiting.set(id, { resolve, timer });
      });
      const receivers = await redis!.publish(requestChannel(owner), JSON.stringify({ id, from: leases.holder, meetingId, op, body } satisfies Request));
      if (receivers === 0) {
        // Nobody heard it: the owner is gone. Wait out its lease, then take over (next round).
        const w = waiting.get(id);
        if (w) {
          clearTimeout(w.timer);
          waiting.delete(id);
        }
        if (performance.now() > giveUpAt) throw unreachable('is gone and its lease has not expired yet');
        await sleep(Math.min(250, (await leases.remainingMs(meetingId)) + 10));
        continue;
      }
      const r = await replied;
      if (r === null) throw unreachable(`did not answer within ${opts.timeoutMs} ms`);
      if ('moved' in r) {
        if (performance.now() > giveUpAt) throw unreachable('kept moving');
        continue;
      }
      if (r.ok) return r.data as T;
      throw new AppError(isErrorCode(r.error.code) ? r.error.code : 'INTERNAL', r.status, r.error.message);
    }
  }

  return {
    serve,
    run,
    async close() {
      for (const w of waiting.values()) {
        clearTimeout(w.timer);
        w.resolve(null);
      }
      waiting.clear();
      if (sub.isOpen) await sub.close();
    },
  };
}
