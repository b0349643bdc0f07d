/**
 * The Socket.IO handshake: protocol version, who is connecting (cookie or token), the per-user
 * connection cap, and what a recovered connection may keep. Runs for recovered connections too
 * (skipMiddlewares: false), so a connection that comes back is authorised again.
 */
import type { FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION, type ErrorCode } from '@diemcau/shared';
import { SESSION_COOKIE } from './auth.ts';
import type { AuthUser } from '../modules/auth/auth.service.ts';
import type { Membership } from '../modules/meetings/meetings.access.ts';
import { assertMember, getMeetingOr404 } from '../modules/meetings/meetings.access.ts';
import type { AppSocket } from './realtime.ts';

export interface HandshakeOptions {
  maxSockets: number;
  userRoom: (userId: number) => string;
  /** The user's other live connections: this node's, or every node's on a cluster (realtime-redis.ts). */
  countOthers: (socket: AppSocket, userRoom: string) => number | Promise<number>;
}

const failure = (code: ErrorCode, message: string) => Object.assign(new Error(message), { data: { code, message } });

export function handshake(app: FastifyInstance, opts: HandshakeOptions) {
  const rejoinable = (user: AuthUser, meetingId: number): Promise<Membership | null> =>
    app.database.run(async (s) => assertMember(s, user, await getMeetingOr404(s, meetingId))).catch(() => null);
  return (socket: AppSocket, next: (err?: Error) => void): void => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    if (auth.protocol !== PROTOCOL_VERSION) return next(failure('PROTOCOL_MISMATCH', `Server speaks protocol ${PROTOCOL_VERSION}; reload the page`));
    const cookieToken = socket.handshake.headers.cookie ? app.parseCookie(socket.handshake.headers.cookie)[SESSION_COOKIE] : undefined;
    const token = typeof auth.token === 'string' ? auth.token : cookieToken;
    // Resolves to the refusal, or undefined to admit; `next` is called once, whatever happens.
    const check = async (): Promise<Error | undefined> => {
      const user = await app.auth.resolveToken(token);
      if (!user) return failure('UNAUTHENTICATED', 'Sign in first');
      const prev = socket.recovered ? socket.data : null;
      // A recovered connection keeps its meeting only for the same user, still a member of it.
      const kept = prev?.user?.id === user.id && prev.meetingId != null ? await rejoinable(user, prev.meetingId) : null;
      // Counted after the reads, right before the admission: on one node nothing is awaited in between.
      const others = opts.countOthers(socket, opts.userRoom(user.id));
      if ((typeof others === 'number' ? others : await others) >= opts.maxSockets) {
        return failure('TOO_MANY_CONNECTIONS', `At most ${opts.maxSockets} connections per user; close another tab or device`);
      }
      if (prev && !kept) for (const r of [...socket.rooms]) if (r !== socket.id) void socket.leave(r);
      socket.data = { user, meetingId: kept ? prev!.meetingId : null, membership: kept };
      return undefined;
    };
    check().then(next, (err: unknown) => next(err instanceof Error ? err : new Error(String(err))));
  };
}
