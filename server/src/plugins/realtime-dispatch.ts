/**
 * One socket's command dispatch (plugins/realtime.ts): rate limits, the handler lookup, the size
 * check on arrival; then, queued in the fair command queue (realtime-queue.ts), the session check,
 * cleaning and validation against the shared contract, and the handler call — here, or on the
 * meeting's owner node for a per-meeting command on a cluster — turned into an `Ack`.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Validator } from 'typebox/compile';
import { Commands, type Ack, type CommandName, type ErrorCode } from '@diemcau/shared';
import { AppError } from '../lib/app-error.ts';
import { cleanHumanText } from '../lib/human-text.ts';
import type { AuthUser } from '../modules/auth/auth.service.ts';
import type { Membership } from '../modules/meetings/meetings.access.ts';
import { toErrorResponse } from './errors.ts';
import type { CommandQueue } from './realtime-queue.ts';
import type { AppSocket, CommandContext, CommandHandler } from './realtime.ts';

export interface HandlerEntry {
  validator: Validator;
  fn: CommandHandler<any>;
  /** Runs on the meeting's owner node on a cluster (lease.ts). */
  perMeeting: boolean;
  /** An async handler the socket's later commands wait for (meeting:join: they act in the meeting it joins). */
  barrier?: boolean;
  /** May run between the chunks of a broadcast queued before it (realtime-queue.ts): a ballot. */
  overtaking?: boolean;
}

export interface DispatchOptions {
  handlers: ReadonlyMap<string, HandlerEntry>;
  queue: CommandQueue;
  /** Per user, on top of the per-socket bucket. */
  userLimiter: RateLimiterAbstract;
  /** Token bucket per socket: burst size and refill per second. */
  burst: number;
  perSecond: number;
  maxPayload: number;
  /** Runs a per-meeting command on the meeting's owner; null on a single node. */
  forward: ((meetingId: number, c: { event: string; payload: unknown; user: AuthUser; membership: Membership | null }) => Promise<unknown>) | null;
  /** A handler failed with a server error (5xx). */
  onFailure: (err: unknown, event: string) => void;
}

export const ackError = (code: ErrorCode, message: string): Ack<never> => ({ ok: false, error: { code, message } });

/** The `onAny` listener of one socket; `session` says whether its session is still live. */
export function commandDispatcher(o: DispatchOptions) {
  return (socket: AppSocket, session: { live(): boolean }) => {
  let tokens = o.burst;
  let last = Date.now();
  // While a barrier command settles, the socket's commands whose turn came wait here, in order.
  let held: (() => void)[] | null = null;
  const release = () => {
    const jobs = held ?? [];
    held = null;
    // Each runs now, or is held again behind a barrier among them.
    for (const job of jobs) job();
  };
  return async (event: string, ...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack<unknown>) => void) : null;
      // Without an ack callback there is nobody to answer; the contract requires one.
      const reply = (a: Ack<unknown>) => ack?.(a);
      const now = Date.now();
      tokens = Math.min(o.burst, tokens + ((now - last) / 1000) * o.perSecond);
      last = now;
      if (tokens < 1) return reply(ackError('RATE_LIMITED', 'Too many commands; slow down'));
      tokens -= 1;
      try {
        await o.userLimiter.consume(String(socket.data.user.id));
      } catch {
        return reply(ackError('RATE_LIMITED', 'Too many commands from your account; slow down'));
      }

      const h = o.handlers.get(event);
      if (!h) return reply(ackError('UNKNOWN_EVENT', `Unknown event ${String(event).slice(0, 64)}`));
      if (!ack) return;
      if (args.length !== 1) return reply(ackError('VALIDATION_FAILED', 'A command takes exactly one payload and an ack'));
      // The size stays an arrival check: it bounds what a queued command holds in memory.
      let size: number;
      try {
        size = Buffer.byteLength(JSON.stringify(args[0]) ?? '');
      } catch {
        return reply(ackError('VALIDATION_FAILED', 'Payload is not JSON'));
      }
      if (size > o.maxPayload) return reply(ackError('PAYLOAD_TOO_LARGE', `Payload over ${o.maxPayload} bytes`));
      const fail = (err: unknown) => {
        const { status, body } = toErrorResponse(err);
        if (status >= 500) o.onFailure(err, event);
        reply(ackError(body.error.code, body.error.message));
      };
      const run = (): void => {
        if (held) return void held.push(run);
        // Gone while queued: nobody to answer, and a join would put a dead socket in the meeting's rooms.
        if (!socket.connected) return;
        // At run time rather than arrival: a session that expired while the command waited does not act.
        if (!session.live()) {
          reply(ackError('UNAUTHENTICATED', 'Your session has ended; sign in again'));
          return void socket.disconnect(true);
        }
        // Cleaned and validated in the slice: 2,000 commands read in one poll phase would otherwise all
        // be walked and checked before any timer runs (the event-loop lag of a check-in storm).
        let payload: unknown;
        try {
          payload = cleanHumanText(Commands[event as CommandName].req, args[0]);
        } catch (err) {
          const { body } = toErrorResponse(err);
          return reply(ackError(body.error.code, body.error.message));
        }
        if (!h.validator.Check(payload)) {
          const first = h.validator.Errors(payload)[0];
          return reply(ackError('VALIDATION_FAILED', first ? `${first.instancePath || '/'} ${first.message}` : 'Invalid payload'));
        }
        // Built when the handler runs, not when the command arrived: an earlier queued meeting:join counts.
        const ctx: CommandContext = {
          socket,
          user: socket.data.user,
          meetingId: socket.data.meetingId,
          membership: socket.data.membership,
          requireMeeting() {
            const { meetingId, membership } = socket.data;
            if (meetingId == null || !membership) throw new AppError('NOT_MEMBER', 403, 'Join a meeting first');
            return { meetingId, membership };
          },
        };
        try {
          const meetingId = ctx.meetingId;
          const out =
            o.forward && h.perMeeting && meetingId !== null
              ? o.forward(meetingId, { event, payload, user: ctx.user, membership: ctx.membership })
              : h.fn(ctx, payload);
          // A synchronous result is answered inside the slice; an async handler answers when it settles, off the queue.
          if (out instanceof Promise) {
            const settled = out.then((data) => reply({ ok: true, data }), fail);
            if (h.barrier) {
              held = [];
              void settled.finally(release);
            }
          } else reply({ ok: true, data: out });
        } catch (err) {
          fail(err);
        }
      };
      if (!o.queue.push(socket.id, run, h.overtaking)) reply(ackError('SERVER_BUSY', 'The server is busy; try again in a moment'));
    };
};
}
