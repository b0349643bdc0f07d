/**
 * Socket adapter of the conference room: maps each contract command onto the
 * pure machine via the service, acks with the relevant view, and broadcasts
 * the deltas to the meeting room. Also contributes the snapshot parts and
 * follows bridge operators' connections to keep bridge presence honest.
 */
import fp from 'fastify-plugin';
import { eq } from 'drizzle-orm';
import type { CommandName, CommandRequest, CommandResult, Commands, YouView } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';
import { rooms, type CommandContext } from '../../plugins/realtime.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { bridgePointOf, type Membership } from '../meetings/meetings.access.ts';
import { listAgenda } from '../agenda/agenda.repo.ts';
import { timerView } from './agenda.machine.ts';
import type { Actor, ConferenceCommand, ConferenceState } from './conference.machine.ts';
import { createConferenceService, type ConferenceService } from './conference.service.ts';
import type { ConferenceSnapshot } from './conference.types.ts';
import { agendaView, bridgeView, delegateView, type Outgoing } from './conference.views.ts';
import { floorView, requestView, speakerView } from './floor.machine.ts';
import { delegateOf } from './presence.machine.ts';
import { rollCallView } from './rollcall.machine.ts';
import { createPresenceFanout, presenceFor } from './presence.fanout.ts';

type Listener = (meetingId: number, out: readonly Outgoing[]) => void;
/** Throws an AppError when the meeting may not end now (e.g. a poll is still open). */
type EndGuard = (meetingId: number) => void;

declare module 'fastify' {
  interface FastifyInstance {
    conference: ConferenceService & {
      /** Other features (media: open the granted bridge's microphone) follow the room's broadcasts here. */
      subscribe(listener: Listener): void;
      /** Other features veto ending a meeting while they still have work open. */
      guardEnd(guard: EndGuard): void;
      /** Runs every end guard; used by `meeting:end` and by the REST status transition. */
      assertCanEnd(meetingId: number): void;
      /** After a status change made through the meetings API: the room hears of it at once, not at the next command. */
      statusChanged(meetingId: number): void;
    };
  }
}

export interface ConferenceSocketOptions {
  /** How long a bridge stays online after its operator's last socket dropped; covers reconnects and restarts. */
  offlineGraceMs?: number;
  /** Coalescing window of presence broadcasts per meeting (a few pushes a second at most). */
  presenceWindowMs?: number;
  now?: () => number;
}

type ConferenceCommandName = Extract<CommandName, ConferenceCommand['type']>;

export default fp<ConferenceSocketOptions>(
  async (app, opts) => {
    const listeners: Listener[] = [];
    const service = createConferenceService({
      database: app.database,
      log: app.log,
      ...(opts.now && { now: opts.now }),
      owns: (meetingId) => app.lease.owns(meetingId),
      holds: (meetingId) => app.lease.holds(meetingId),
      publish(meetingId, out, presence) {
        const room = app.realtime.toMeeting(meetingId);
        for (const o of out) room.emit(o.name, o.payload as never);
        // Presence goes out shaped by audience and coalesced (presence.fanout.ts), read when its window closes;
        // on a cluster every node does so for its own sockets.
        if (presence.bridges.length || presence.delegates.length) presenceChanged({ meetingId, ...presence });
        for (const l of listeners) {
          try {
            l(meetingId, out);
          } catch (err) {
            app.log.error({ err, meetingId }, 'conference listener failed');
          }
        }
      },
    });
    const fanout = createPresenceFanout({
      io: app.realtime.io,
      read: async (meetingId) => (await service.state(meetingId)).presence,
      windowMs: opts.presenceWindowMs ?? 300,
      log: app.log,
      emitTo: (ids, payload) => app.realtime.toSocketsInChunks(ids).emit('presence:changed', payload),
      busy: () => app.realtime.backlog() > 0,
    });
    const presenceChanged = app.realtime.everyNode('presence-changed', (m: { meetingId: number; bridges: number[]; delegates: number[] }) =>
      fanout.changed(m.meetingId, m.bridges, m.delegates),
    );
    const endGuards: EndGuard[] = [];
    const assertCanEnd = (meetingId: number) => {
      for (const g of endGuards) g(meetingId);
    };
    // Reading catches the stored state up with the meeting row and broadcasts the difference: on the
    // meeting's owner (on a single node, at once). The change is already committed, so a failure here
    // is logged, not returned to the caller.
    const catchUp = app.realtime.ownerOp('conference:catch-up', async (meetingId) => {
      await service.state(meetingId);
    });
    const statusChanged = (meetingId: number) => {
      catchUp(meetingId, null).catch((err: unknown) => app.log.error({ err, meetingId }, 'conference catch-up failed'));
    };
    app.decorate(
      'conference',
      Object.assign(service, { subscribe: (l: Listener) => void listeners.push(l), guardEnd: (g: EndGuard) => void endGuards.push(g), assertCanEnd, statusChanged }),
    );

    const bridgeName = (id: number) =>
      app.database.run(async ({ q, t }) => {
        const [b] = await q.select({ name: t.bridgePoints.name }).from(t.bridgePoints).where(eq(t.bridgePoints.id, id));
        return b?.name ?? `#${id}`;
      });

    const seatOf = (m: Membership) => ({ bridgePointId: bridgePointOf(m), chair: m.kind === 'admin' || m.kind === 'secretariat' });

    async function actorOf(user: AuthUser, m: Membership): Promise<Actor> {
      // A bridge operator asks for the floor on behalf of the whole bridge point.
      const displayName = m.kind === 'bridge' ? await bridgeName(m.bridgePointId) : user.fullName;
      return { userId: user.id, role: user.role, ...seatOf(m), displayName };
    }

    type View<K extends ConferenceCommandName, R> = (s: ConferenceState, at: number, meetingId: number, actor: Actor, p: CommandRequest<Commands, K>) => R;

    /**
     * Registers one command whose answer is read from the state alone (check-ins, floor requests and
     * the other commands that come in storms): the answer is made in the command's batch, so the batch
     * does not hold every command's state until it commits, and acked once the batch is durable.
     */
    function command<K extends ConferenceCommandName>(name: K, view: View<K, CommandResult<Commands, K>>) {
      register(name, (meetingId, actor, cmd, check, payload) =>
        service.submit(meetingId, actor, cmd, { check, view: (r) => view(r.state, r.at, meetingId, actor, payload) }),
      );
    }

    /** Registers one command whose answer also reads the database (the agenda): made once its batch has committed. */
    function commandReading<K extends ConferenceCommandName>(name: K, view: View<K, Promise<CommandResult<Commands, K>>>) {
      register(name, async (meetingId, actor, cmd, check, payload) => {
        const { state, at } = await service.submit(meetingId, actor, cmd, { check });
        return view(state, at, meetingId, actor, payload);
      });
    }

    /** The part every command shares: checks the meeting and the actor, then `run`s the command (group-committed with the other commands of this turn). */
    function register<K extends ConferenceCommandName>(
      name: K,
      run: (meetingId: number, actor: Actor, cmd: ConferenceCommand, check: (() => void | Promise<void>) | undefined, p: CommandRequest<Commands, K>) => Promise<CommandResult<Commands, K>>,
    ) {
      app.realtime.handle(name, async (ctx: CommandContext, payload) => {
        const { meetingId, membership } = ctx.requireMeeting();
        if (payload.meetingId !== meetingId) {
          throw new AppError('NOT_MEMBER', 403, `This connection joined meeting ${meetingId}, not ${payload.meetingId}`);
        }
        const actor = await actorOf(ctx.user, membership);
        const { meetingId: _, ...rest } = payload;
        // Checked in the same tick as the command runs, so nothing can open in between.
        const check = name === 'meeting:end' ? () => assertCanEnd(meetingId) : undefined;
        return run(meetingId, actor, { type: name, ...rest } as ConferenceCommand, check, payload);
      }, { perMeeting: true });
    }

    const itemsOf = (meetingId: number) => app.database.run((st) => listAgenda(st, meetingId));
    const agendaOf = async (s: ConferenceState, at: number, meetingId: number) => agendaView(s, await itemsOf(meetingId), at);
    const timerOf = async (s: ConferenceState, at: number, meetingId: number) => timerView(s.agenda, await itemsOf(meetingId), s.agenda.currentItemId!, at);
    const floorOf = (s: ConferenceState, at: number) => floorView(s.floor, at);
    const lastRollCall = (s: ConferenceState) => rollCallView(s.presence)!;

    commandReading('meeting:start', agendaOf);
    commandReading('meeting:end', agendaOf);
    commandReading('agenda:set-current', agendaOf);
    commandReading('timer:start', timerOf);
    commandReading('timer:pause', timerOf);
    commandReading('timer:extend', timerOf);
    command('floor:request', (s, _at, _m, actor) => requestView(s.floor.queue.find((r) => r.userId === actor.userId)!));
    command('floor:withdraw', floorOf);
    command('floor:reorder', floorOf);
    command('floor:grant', (s, at) => speakerView(s.floor.speaker!, at));
    command('floor:revoke', floorOf);
    command('presence:set-bridge', (s, _at, _m, actor, p) =>
      bridgeView(s.presence.bridges.find((b) => b.bridgePointId === (p.bridgePointId ?? actor.bridgePointId))!),
    );
    command('presence:set-delegate', (s, _at, _m, actor, p) =>
      delegateView(delegateOf(s.presence, p.userId ?? actor.userId)!),
    );
    command('rollcall:start', lastRollCall);
    command('rollcall:confirm', lastRollCall);
    command('rollcall:close', lastRollCall);

    // ---- snapshot parts ------------------------------------------------------
    // The join handler asks for each part in turn within one synchronous call;
    // computing the conference once per join keeps the parts consistent.
    let memo: { meetingId: number; snap: Promise<ConferenceSnapshot> } | null = null;
    const snap = (meetingId: number): Promise<ConferenceSnapshot> => {
      if (memo?.meetingId === meetingId) return memo.snap;
      memo = { meetingId, snap: service.snapshot(meetingId) };
      queueMicrotask(() => (memo = null));
      return memo.snap;
    };
    for (const part of ['meeting', 'agenda', 'floor', 'version'] as const) {
      app.realtime.snapshotPart(part, async (meetingId) => (await snap(meetingId))[part]);
    }
    app.realtime.snapshotPart('presence', async (meetingId, user, m) => presenceFor((await snap(meetingId)).presence, m, user.id));
    app.realtime.snapshotPart('you', (_meetingId, user, m): YouView => ({ userId: user.id, role: user.role, ...seatOf(m) }));

    // ---- bridge operators' connections -----------------------------------------
    const grace = opts.offlineGraceMs ?? 10_000;
    const pendingOffline = new Map<string, NodeJS.Timeout>();
    let closing = false;
    const system = (userId: number, bridgePointId: number): Actor => ({
      userId,
      role: 'system',
      bridgePointId,
      chair: false,
      displayName: '',
    });
    // A bridge's connection changes its presence on the meeting's owner, wherever the operator connected.
    const setBridge = app.realtime.ownerOp('conference:bridge-connection', async (meetingId, { userId, bridgePointId, status }: { userId: number; bridgePointId: number; status: 'online' | 'offline' }) => {
      // Degraded is the operator's own judgement; a connection alone does not clear it. Checked in the command's transaction.
      const changes = (s: ConferenceState) => {
        const b = s.presence.bridges.find((x) => x.bridgePointId === bridgePointId);
        return b !== undefined && (status === 'online' ? b.status === 'offline' : b.status !== 'offline');
      };
      try {
        await service.execute(meetingId, system(userId, bridgePointId), { type: 'presence:set-bridge', bridgePointId, status }, changes);
      } catch (err) {
        // An ended meeting's attendance is final; nothing to do.
        if (!(err instanceof AppError)) throw err;
      }
    });
    const bridgeConnection = (meetingId: number, user: AuthUser, bridgePointId: number, status: 'online' | 'offline') =>
      setBridge(meetingId, { userId: user.id, bridgePointId, status }).catch((err: unknown) =>
        app.log.error({ err, meetingId, bridgePointId, status }, 'bridge presence change failed'),
      );

    app.realtime.onJoin((meetingId, user, _socket, m) => {
      if (m.kind !== 'bridge') return;
      const key = `${meetingId}:${m.bridgePointId}`;
      clearTimeout(pendingOffline.get(key));
      pendingOffline.delete(key);
      void bridgeConnection(meetingId, user, m.bridgePointId, 'online');
    });
    app.realtime.onLeave((meetingId, user, _socket, m) => {
      // Sockets dropped by a shutdown say nothing about the bridge: its operator reconnects to the next server.
      if (m.kind !== 'bridge' || closing) return;
      const key = `${meetingId}:${m.bridgePointId}`;
      clearTimeout(pendingOffline.get(key));
      const t = setTimeout(() => {
        pendingOffline.delete(key);
        if (closing) return;
        // Another socket of this bridge (a second screen, a recovered connection, on any node) keeps it online.
        void app.realtime.io
          .in(rooms.bridge(meetingId, m.bridgePointId))
          .fetchSockets()
          .then((others) => (others.length || closing ? undefined : bridgeConnection(meetingId, user, m.bridgePointId, 'offline')))
          .catch((err: unknown) => app.log.error({ err, meetingId }, 'marking bridge offline failed'));
      }, grace);
      t.unref();
      pendingOffline.set(key, t);
    });

    // On a cluster: the node that holds a meeting's lease keeps its state and runs its speech timer.
    app.lease.onGained((meetingId) => {
      service.adopt(meetingId).catch((err: unknown) => app.log.error({ err, meetingId }, 'taking over the conference failed'));
    });
    app.lease.onLost((meetingId) => service.drop(meetingId));
    app.lease.needsOwner(() => service.speaking());
    app.addHook('onReady', () => service.resume());
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onClose', async () => {
      closing = true;
      for (const t of pendingOffline.values()) clearTimeout(t);
      pendingOffline.clear();
      await service.close();
      fanout.close();
    });
  },
  { name: 'conference', dependencies: ['db', 'realtime'] },
);
