/**
 * The Socket.IO handshake: protocol version, who is connecting (cookie or token), the per-user
 * connection cap, and what a recovered connection may keep. Runs for recovered connections too
 * (skipMiddlewares: false), so a connection that comes back is authorised again.
 */
import type { FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION, type ErrorCode } from '@diemcau/shared';
import { SESSION_COOKIE } from './auth.ts';
import type { AuthUser } from '../modules/auth/auth.service.ts';
import { assertMember, getMeetingOr404, type Membership } from '../modules/meetings/meetings.access.ts';
import type { AppSocket } from './realtime.ts';

export interface HandshakeOptions {
  maxSockets: number;
  userRoom: (userId: number) => string;
  /** The user's other live connections: this node's, or every node's on a cluster (realtime-redis.ts). */
  countOthers: (socket: AppSocket, userRoom: string) => number | Promise<number>;
}

export function handshake(app: FastifyInstance, opts: HandshakeOptions) {
  const rejoinable = (user: AuthUser, meetingId: number): Membership | null => {
    try {
      return assertMember(app.db, user, getMeetingOr404(app.db, meetingId));
    } catch {
      return null;
    }
  };
  return (socket: AppSocket, next: (err?: Error) => void): void => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const fail = (code: ErrorCode, message: string) => next(Object.assign(new Error(message), { data: { code, message } }));
    if (auth.protocol !== PROTOCOL_VERSION) return fail('PROTOCOL_MISMATCH', `Server speaks protocol ${PROTOCOL_VERSION}; reload the page`);
    const cookieToken = socket.handshake.headers.cookie ? app.parseCookie(socket.handshake.headers.cookie)[SESSION_COOKIE] : undefined;
    const token = typeof auth.token === 'string' ? auth.token : cookieToken;
    const user = app.auth.resolveToken(token);
    if (!user) return fail('UNAUTHENTICATED', 'Sign in first');
    const room = opts.userRoom(user.id);
    const admit = (others: number) => {
      if (others >= opts.maxSockets) {
        return fail('TOO_MANY_CONNECTIONS', `At most ${opts.maxSockets} connections per user; close another tab or device`);
      }
      admitted(socket, user);
      next();
    };
    const others = opts.countOthers(socket, room);
    // Synchronous on one node, so a connection is admitted in the same turn as before.
    if (typeof others === 'number') return admit(others);
    others.then(admit, (err: unknown) => next(err instanceof Error ? err : new Error(String(err))));
  };
  function admitted(socket: AppSocket, user: AuthUser): void {
    const prev = socket.recovered ? socket.data : null;
    // A recovered connection keeps its meeting only for the same user, still a member of it.
    const kept = prev?.user?.id === user.id && prev.meetingId != null ? rejoinable(user, prev.meetingId) : null;
    if (prev && !kept) for (const r of [...socket.rooms]) if (r !== socket.id) void socket.leave(r);
    socket.data = { user, meetingId: kept ? prev!.meetingId : null, membership: kept };
  }
}
