/**
 * Socket.IO on the app's HTTP server, adapted to the shared contract.
 * Feature modules register command handlers with `app.realtime.handle()`; this
 * plugin authenticates the handshake, checks the protocol version, validates
 * every payload against the shared schema, rate-limits, and turns results and
 * thrown errors into `Ack` objects. Handlers never see unvalidated input.
 */
import fp from 'fastify-plugin';
import type { TLSSocket } from 'node:tls';
import { Server } from 'socket.io';
import { Compile } from 'typebox/compile';
import { Commands, PROTOCOL_VERSION, type CommandName } from '@diemcau/shared';
import { AppError } from '../lib/app-error.ts';
import { refuseDeadRecovery, sweepOnce, sweepSessions, watchSession } from './realtime-session.ts';
import { realtimeCluster } from './realtime-redis.ts';
import { handshake } from './realtime-handshake.ts';
import { createCommandQueue } from './realtime-queue.ts';
import { audienceOf, meetingAudiences, shapeFor } from './realtime-audience.ts';
import { createForwarder } from './realtime-forward.ts';
import { commandDispatcher, type HandlerEntry } from './realtime-dispatch.ts';
import { rooms, type AppServer, type AppSocket, type CommandContext, type CommandHandler, type Emitter, type JoinHook, type Realtime, type SnapshotPart } from './realtime-api.ts';
import type { AuthUser } from '../modules/auth/auth.service.ts';
import type { Membership } from '../modules/meetings/meetings.access.ts';
import { assertMember, getMeetingOr404 } from '../modules/meetings/meetings.access.ts';

// Feature modules, tests and scripts import these from here, the plugin's own module.
export { rooms };
export type { AppServer, AppSocket, CommandContext, CommandHandler, Realtime, SocketData } from './realtime-api.ts';

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

export interface RealtimeOptions {
  /** Largest accepted command payload, JSON-encoded. */
  maxPayloadBytes?: number;
  /** Token bucket per socket: burst size and refill per second. */
  rateBurst?: number;
  ratePerSecond?: number;
  /** Live connections one user may hold; the next handshake is refused with TOO_MANY_CONNECTIONS. */
  maxSocketsPerUser?: number;
  /** Commands per second one user may send across all their connections. */
  userCommandsPerSecond?: number;
  /** Commands waiting for their handler, all sockets together; past it they answer SERVER_BUSY (realtime-queue.ts). */
  maxQueuedCommands?: number;
  /** How often live connections' sessions are re-read from the store (realtime-session.ts); tests lengthen it. */
  sessionRecheckMs?: number;
  /** On a cluster: how long a command forwarded to the meeting's owner may take to be answered. */
  forwardTimeoutMs?: number;
}

/**
 * The context of a command forwarded from another node: the socket is over there, so a forwarded
 * handler (per-meeting commands only, which never touch it) gets one that throws if used.
 */
function forwardedContext(meetingId: number, user: AuthUser, membership: Membership): CommandContext {
  const socket = new Proxy({} as AppSocket, {
    get: (_t, prop) => {
      throw new Error(`A forwarded command has no socket (read ${String(prop)})`);
    },
  });
  return { socket, user, meetingId, membership, requireMeeting: () => ({ meetingId, membership }) };
}


/** Sockets written per queued job by toSocketsInChunks: about 10 ms of writes. */
const FANOUT_CHUNK = 100;


export default fp<RealtimeOptions>(
  async (app, opts) => {
    const maxPayload = opts.maxPayloadBytes ?? 16 * 1024;
    const burst = opts.rateBurst ?? 40;
    const perSecond = opts.ratePerSecond ?? 20;
    const maxSockets = opts.maxSocketsPerUser ?? 5;
    // Per user, on top of the per-socket bucket: opening more tabs must not multiply a user's rate.
    // On a cluster the bucket is in Redis, so connections spread over nodes do not multiply it either.
    const userLimiter = app.rateLimiter({ keyPrefix: 'socket-user', points: opts.userCommandsPerSecond ?? 40, duration: 1 });
    // With REDIS_URL: the Redis Streams adapter, cross-node connection counts and session ends (realtime-redis.ts).
    const cluster = realtimeCluster(app.redis, (err, what) => app.log.warn({ err }, what));

    // Handlers run in short slices so a check-in storm cannot stall timers and I/O (realtime-queue.ts).
    const queue = createCommandQueue({
      maxQueued: opts.maxQueuedCommands ?? 20_000,
      onError: (err) => app.log.error({ err }, 'queued socket command failed'),
    });
    let closing = false;
    const io: AppServer = new Server(app.server, {
      // While shutting down, refuse new handshakes at the transport level: a client that
      // slipped in would get a server-side disconnect from io.close() and, by socket.io's
      // rules, never reconnect. A refused handshake is a transport error, which it retries.
      // A page of another site must not open a connection riding the user's cookie (cross-site WebSocket hijacking).
      allowRequest: (req, cb) => {
        if (closing) return cb('server shutting down', false);
        if (!app.sameSiteRequest(req.headers, Boolean((req.socket as TLSSocket).encrypted), false)) return cb('CROSS_ORIGIN', false);
        cb(null, true);
      },
      // Engine-level cap well above maxPayload so oversized commands reach us and get a typed ack
      // instead of a dropped connection; beyond this, engine.io closes the socket.
      maxHttpBufferSize: 1024 * 1024,
      // Middlewares run on recovery too: a recovered connection is re-authorised against the
      // session store before it may do anything (a session ended while it was away stays ended).
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      // A cut commune line must be noticed within the cut (default 25 s + 20 s would not notice a
      // 20 s outage at all): then the client reconnects on a fresh TCP connection as soon as the line
      // is back, instead of waiting out TCP's backed-off retransmissions on the stale one (test/netem).
      pingInterval: 10_000,
      pingTimeout: 8_000,
      serveClient: false,
      ...(cluster.adapter && { adapter: cluster.adapter }),
    });

    refuseDeadRecovery(io, (id) => app.auth.isSessionLive(id));
    const liveOf = (ids: readonly string[]) => app.auth.liveSessionIds(ids);
    const onSweepError = (err: unknown) => app.log.error({ err }, 'session sweep failed');
    const stopSweep = sweepSessions(io, liveOf, onSweepError, opts.sessionRecheckMs);
    // Another node ended sessions: the store already says which, so this node's sockets are checked now.
    cluster.onSessionsEndedElsewhere(io, () => void sweepOnce(io, liveOf, onSweepError));

    const handlers = new Map<string, HandlerEntry>();
    const parts = new Map<string, SnapshotPart>();
    const joinHooks: JoinHook[] = [];
    const leaveHooks: JoinHook[] = [];

    io.use(handshake(app, { maxSockets, userRoom: rooms.user, countOthers: (socket, room) => cluster.countOthers(io, socket, room) }));

    const leaveMeeting = (socket: AppSocket) => {
      const { meetingId, membership, user } = socket.data;
      if (meetingId == null || !membership) return;
      for (const room of [...socket.rooms]) if (room.startsWith(`meeting:${meetingId}`)) void socket.leave(room);
      // A fresh object rather than a mutation: connection-state recovery restores the object it saved
      // at disconnect, and that one must still say which meeting the socket was in.
      socket.data = { ...socket.data, meetingId: null, membership: null };
      for (const h of leaveHooks) runHook(h, meetingId, user, socket, membership);
    };
    const runHook = (h: JoinHook, meetingId: number, user: AuthUser, socket: AppSocket, m: Membership) => {
      try {
        h(meetingId, user, socket, m);
      } catch (err) {
        app.log.error({ err, meetingId }, 'realtime hook failed');
      }
    };

    const builtin: { [K in 'meeting:join' | 'meeting:leave']: (ctx: CommandContext, payload: any) => unknown } = {
      'meeting:join': async (ctx, { meetingId }: { meetingId: number }) => {
        const membership = await app.database.run(async (st) => assertMember(st, ctx.user, await getMeetingOr404(st, meetingId)));
        const s = ctx.socket;
        // Gone while the membership was read: a join would put a dead socket in the meeting's rooms.
        if (!s.connected) throw new AppError('UNAUTHENTICATED', 401, 'Disconnected');
        if (s.data.meetingId !== null && s.data.meetingId !== meetingId) leaveMeeting(s);
        void s.join(rooms.meeting(meetingId));
        // The rooms are the audiences that shaped broadcasts address (realtime-audience.ts).
        const audience = audienceOf(membership);
        if (audience.kind === 'manager') void s.join(rooms.managers(meetingId));
        if (audience.kind === 'bridge') void s.join(rooms.bridge(meetingId, audience.bridgePointId));
        s.data.meetingId = meetingId;
        s.data.membership = membership;
        for (const h of joinHooks) runHook(h, meetingId, ctx.user, s, membership);
        const snapshot: Record<string, unknown> = { meetingId, serverTime: Date.now(), membership, protocol: PROTOCOL_VERSION };
        // Every part starts in this turn, right after the rooms were joined; one that reads the database is awaited.
        await Promise.all([...parts].map(async ([name, part]) => (snapshot[name] = await part(meetingId, ctx.user, membership))));
        return snapshot;
      },
      'meeting:leave': (ctx) => {
        leaveMeeting(ctx.socket);
        return {};
      },
    };
    // The socket's later commands wait for its join: they act in the meeting it joins (realtime-dispatch.ts).
    for (const [name, fn] of Object.entries(builtin)) handlers.set(name, { validator: Compile(Commands[name as CommandName].req), fn: fn as CommandHandler<any>, perMeeting: false, barrier: name === 'meeting:join' });

    // With Redis, a meeting's commands run on the node holding its lease (realtime-forward.ts).
    const clustered = app.lease.clustered;
    const forwarder = await createForwarder(app.redis, app.lease, {
      timeoutMs: opts.forwardTimeoutMs ?? 5000,
      onError: (err, what) => app.log.warn({ err }, what),
    });
    forwarder.serve('command', (meetingId, c: { event: string; payload: unknown; user: AuthUser; membership: Membership }) => {
      const h = handlers.get(c.event);
      if (!h) throw new AppError('UNKNOWN_EVENT', 400, `Unknown event ${c.event.slice(0, 64)}`);
      return h.fn(forwardedContext(meetingId, c.user, c.membership), c.payload);
    });

    const dispatch = commandDispatcher({
      handlers, queue, userLimiter, burst, perSecond, maxPayload,
      // With Redis, a per-meeting command runs on the node holding the meeting's lease.
      forward: clustered ? (meetingId, c) => forwarder.run(meetingId, 'command', c) : null,
      onFailure: (err, event) => app.log.error({ err, event }, 'socket command failed'),
    });

    io.on('connection', (socket) => {
      const { id: uid, scope } = socket.data.user;
      void socket.join(rooms.user(uid));
      // toUser addresses rooms rather than this node's socket list, so it reaches the user on every node.
      // A recovered connection may be back under a session of another scope: it leaves the old scope's room.
      const scopeRoom = rooms.userScope(uid, scope?.meetingId ?? null);
      for (const r of [...socket.rooms]) if (r.startsWith(`user:${uid}:`) && r !== scopeRoom) void socket.leave(r);
      void socket.join(scopeRoom);
      // A short drop recovered with its rooms and missed packets: features still hear that the member is back.
      if (socket.recovered && socket.data.meetingId != null && socket.data.membership) {
        for (const h of joinHooks) runHook(h, socket.data.meetingId, socket.data.user, socket, socket.data.membership);
      }
      // The session's end cuts the connection even if nobody revokes anything.
      const session = watchSession(socket);
      socket.onAny(dispatch(socket, session));

      socket.on('disconnect', () => {
        session.stop();
        leaveMeeting(socket);
      });
    });

    const localAudiences = (id: number, inOrder: boolean) =>
      meetingAudiences(id, rooms, io.of('/').adapter.rooms, (ids, event, payload) =>
        inOrder ? io.to(ids).emit(event, ...([payload] as any)) : toSocketsInChunks(ids).emit(event, payload as never),
      );
    cluster.onShaped(io, (m) => void localAudiences(m.meetingId, m.inOrder).emit(m.event, (a) => shapeFor(m.full, m.shape, a) as never));

    // Every socket is in the room named by its id, so a chunk of ids is an audience of its own.
    const toSocketsInChunks = (ids: string[]): Emitter => ({
      emit: (event, payload) => {
        for (let i = 0; i < ids.length; i += FANOUT_CHUNK) {
          const to = ids.slice(i, i + FANOUT_CHUNK);
          queue.defer(() => io.to(to).emit(event, ...([payload] as any)));
        }
        return ids.length > 0;
      },
    });
    const emitter = (room: string): Emitter => ({ emit: (event, payload) => io.to(room).emit(event, ...([payload] as any)) });
    const realtime: Realtime = {
      io,
      handle(name, fn, { perMeeting = false, overtaking = false } = {}) {
        if (handlers.has(name)) throw new Error(`Command ${name} registered twice`);
        handlers.set(name, { validator: Compile(Commands[name].req), fn, perMeeting, overtaking });
      },
      everyNode: (name, fn) => cluster.everyNode(io, name, fn),
      ownerOp(op, fn) {
        forwarder.serve(op, fn);
        return (meetingId, body) => forwarder.run(meetingId, op, body);
      },
      toMeeting: (id) => emitter(rooms.meeting(id)),
      toMeetingHere: (id) => ({ emit: (event, payload) => io.local.to(rooms.meeting(id)).emit(event, ...([payload] as any)) }),
      toMeetingByAudience: (id, { inOrder = false } = {}) => {
        const here = localAudiences(id, inOrder);
        return {
          emit: here.emit,
          emitShaped(event, full, shape) {
            // Each node shapes the one message for its own sockets (realtime-redis.ts).
            cluster.shaped(io, { meetingId: id, inOrder, event, full, shape });
            return here.emit(event, (a) => shapeFor(full, shape, a) as never);
          },
        };
      },
      toSocketsInChunks,
      toManagers: (id) => emitter(rooms.managers(id)),
      toBridge: (id, bp) => emitter(rooms.bridge(id, bp)),
      // A user's QR-opened connections hear only what concerns their own meeting (payloads without a
      // meetingId are not for them); the user's other connections hear everything.
      toUser: (uid) => ({
        emit: (event, payload) => {
          const meetingId = (payload as { meetingId?: unknown } | null)?.meetingId;
          const to = typeof meetingId === 'number' ? [rooms.userScope(uid, null), rooms.userScope(uid, meetingId)] : rooms.userScope(uid, null);
          return io.to(to).emit(event, ...([payload] as any));
        },
      }),
      snapshotPart: (name, part) => void parts.set(name, part),
      backlog: () => queue.size,
      onJoin: (hook) => void joinHooks.push(hook),
      onLeave: (hook) => void leaveHooks.push(hook),
    };
    app.decorate('realtime', realtime);
    // A revoked QR code, a deactivated account or a password change must not leave a live
    // connection behind. A server-side disconnect is not recoverable, so the client has to
    // authenticate again.
    app.auth.onSessionsEnded((match) => {
      for (const s of io.of('/').sockets.values()) if (s.data.user && match(s.data.user)) s.disconnect(true);
      cluster.sessionsEnded(io);
    });

    app.addHook('preClose', async () => {
      closing = true;
      stopSweep();
      // Commands already accepted are carried out and answered while their sockets are still there.
      queue.close();
      // Drop the transports rather than disconnecting the sockets: clients take that as a network
      // drop and reconnect (to the restarted server), whereas a server-side disconnect tells them to stay away.
      io.engine.close();
    });
    app.addHook('onClose', async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await forwarder.close();
    });
  },
  { name: 'realtime', dependencies: ['auth', 'db', 'redis', 'lease'] },
);
