/**
 * Socket adapter of the video conference: maps the media commands of the
 * shared contract onto MediaService (peer id = socket id), routes its
 * broadcasts, contributes the `media` snapshot part, closes a socket's media
 * when it leaves, and follows the conference floor to open and close mics.
 *
 * The mediasoup workers start on first use, so an app that never holds a
 * video conference (and most tests) spawns none; a missing worker binary
 * costs the video conference, not the server.
 */
import { networkInterfaces } from 'node:os';
import fp from 'fastify-plugin';
import type { Server } from 'socket.io';
import { eq } from 'drizzle-orm';
import type { BroadcastName, Broadcasts } from '@diemcau/shared';
import type { Static } from 'typebox';
import type { Config } from '../../config.ts';
import type { Store } from '../../db/database.ts';
import { AppError } from '../../lib/app-error.ts';
import type { CommandContext } from '../../plugins/realtime.ts';
import { appendAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Membership } from '../meetings/meetings.access.ts';
import { chairHallOf, getMeetingOr404 } from '../meetings/meetings.access.ts';
import { MediaService, type MediaNotifier } from './media.service.ts';
import type { PeerInfo } from './peer.ts';
import { emptyMediaSnapshot } from './media.views.ts';
import mediaRoutes from './media.routes.ts';
import internalRoutes from './media.internal.ts';
import type { ClusterOptions } from './media.cluster.ts';
import { isDirectoryMessage } from './media.directory.ts';

/** The server-side event carrying media hints between nodes. */
const MEDIA_HINT = 'diemcau:media-hint';

export type MediaPluginOptions = Config['mediasoup'] & {
  /** Link-quality sampling period; tests shorten it. */
  linkIntervalMs?: number;
  /** Piping media between nodes; without a secret the node stands alone and has no internal routes. */
  cluster?: Config['cluster'];
};

declare module 'fastify' {
  interface FastifyInstance {
    media: {
      /** The running service, starting the workers if needed. */
      service(): Promise<MediaService>;
      /** The service if it has started, else null (no rooms exist then). */
      started(): MediaService | null;
    };
  }
}

export default fp<MediaPluginOptions>(
  async (app, { cluster: clusterConfig, ...opts }) => {
    let service: MediaService | null = null;
    let starting: Promise<MediaService> | null = null;
    let closing = false;
    const log = app.log.child({ module: 'media' });

    const emit = (target: { to(room: string): { emit(ev: string, ...a: unknown[]): unknown } }, room: string, event: string, payload: unknown) =>
      target.to(room).emit(event, payload);
    const notifier: MediaNotifier = {
      toMeeting: (meetingId, event, payload) => app.realtime.toMeeting(meetingId).emit(event as BroadcastName, payload as Static<Broadcasts[BroadcastName]>),
      toMeetingHere: (meetingId, event, payload) => app.realtime.toMeetingHere(meetingId).emit(event as BroadcastName, payload as Static<Broadcasts[BroadcastName]>),
      toPeer: (peerId, event, payload) => void emit(app.realtime.io as never, peerId, event, payload),
    };

    function start(): Promise<MediaService> {
      if (service) return Promise.resolve(service);
      if (closing) return Promise.reject(new AppError('MEDIA_ERROR', 503, 'Server is stopping'));
      starting ??= MediaService.create({ ...opts, announcedIp: announcedIp(opts), notifier, logger: log, chairHall, ...(cluster ? { cluster } : {}) })
        .then((s) => {
          if (closing) {
            s.close();
            throw new AppError('MEDIA_ERROR', 503, 'Server is stopping');
          }
          service = s;
          s.pool.on('workerdied', ({ index, pid }) => log.error({ index, pid }, 'mediasoup worker died; affected rooms are being rebuilt'));
          return s;
        })
        .catch((err: unknown) => {
          starting = null;
          log.error({ err }, 'video conference unavailable: mediasoup workers failed to start');
          throw err instanceof AppError ? err : new AppError('MEDIA_ERROR', 503, 'Video conference unavailable on this server');
        });
      return starting;
    }
    app.decorate('media', { service: start, started: () => service });
    await app.register(mediaRoutes, { prefix: '/api' });
    const cluster = clusterOptions(clusterConfig);
    if (cluster) await app.register(internalRoutes, { prefix: '/internal/media', secret: cluster.secret });
    if (cluster?.shared) {
      // Hints from the other nodes' media (media.directory.ts), through the realtime adapter's Redis.
      (app.realtime.io as unknown as Server).on(MEDIA_HINT, (msg: unknown) => {
        if (isDirectoryMessage(msg)) service?.onClusterMessage(msg);
        else log.warn({ msg }, 'ignored a malformed media hint from another node');
      });
    }

    function clusterOptions(c: Config['cluster'] | undefined): ClusterOptions | null {
      if (!c?.secret) return null;
      const { nodeUrl, pipeListenIp } = c;
      return {
        secret: c.secret,
        nodeId: c.nodeId,
        // Without NODE_URL, the address this node listens on, as other nodes on the pipe network reach it.
        selfUrl: () => nodeUrl ?? `${app.initialConfig.https ? 'https' : 'http'}://${pipeListenIp}:${listeningPort()}`,
        listenIp: c.pipeListenIp,
        announcedIp: c.pipeAnnouncedIp,
        requestTimeoutMs: c.requestTimeoutMs,
        heartbeatMs: c.heartbeatMs,
        // With the shared Redis the nodes find each other and pipe stage and speakers on their own.
        ...(app.redis ? { shared: { redis: app.redis, emit: (m) => void (app.realtime.io as unknown as Server).serverSideEmit(MEDIA_HINT, m) } } : {}),
      };
    }

    function listeningPort(): number {
      const addr = app.server.address();
      if (!addr || typeof addr === 'string') throw new AppError('MEDIA_ERROR', 503, 'This node is not listening yet; set NODE_URL');
      return addr.port;
    }

    /**
     * Browsers cannot send media to 0.0.0.0: with a wildcard listen address and
     * no RTC_ANNOUNCED_IP, announce the machine's first LAN IPv4 and say so.
     */
    function announcedIp(o: MediaPluginOptions): string | null {
      if (o.announcedIp || !['0.0.0.0', '::'].includes(o.listenIp)) return o.announcedIp;
      const lan = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
      log.warn({ listenIp: o.listenIp, announcedIp: lan ?? null }, 'RTC_ANNOUNCED_IP is not set; announcing the first LAN address to browsers (set it to the address bridge PCs reach this server by)');
      return lan ?? '127.0.0.1';
    }

    const chairHall = (meetingId: number) => app.database.run((s) => chairHallOf(s, meetingId));

    async function bridgeName({ q, t }: Store, id: number): Promise<string> {
      const [bp] = await q.select({ name: t.bridgePoints.name }).from(t.bridgePoints).where(eq(t.bridgePoints.id, id));
      return bp?.name ?? `#${id}`;
    }

    async function peerInfo(s: Store, user: AuthUser, m: Membership): Promise<PeerInfo> {
      const bridgePointId = m.kind === 'bridge' ? m.bridgePointId : null;
      return {
        userId: user.id,
        role: user.role,
        bridgePointId,
        label: bridgePointId !== null ? await bridgeName(s, bridgePointId) : user.fullName,
        chair: m.kind === 'admin' || m.kind === 'secretariat',
      };
    }

    /** Every media command runs against the socket's joined meeting, as the socket's peer. */
    const ctxOf = async (ctx: CommandContext) => {
      const { meetingId } = ctx.requireMeeting();
      const s = service;
      if (!s) throw new AppError('MEDIA_ERROR', 409, 'Not in the media room; call media:get-capabilities first');
      return { s, meetingId, peerId: ctx.socket.id };
    };

    /**
     * Mute, mute-all and stage changes are the chair's privileged acts: each leaves an audit entry.
     * The change has already reached the meeting; the chair's ack waits for the entry.
     */
    const audit = (ctx: CommandContext, meetingId: number, action: string, details: unknown) =>
      app.database.tx((s) => appendAudit(s, { actorUserId: ctx.user.id, action, targetType: 'meeting', targetId: meetingId, details, ip: ctx.socket.handshake.address }));

    const rt = app.realtime;
    rt.handle('media:get-capabilities', async (ctx) => {
      const { meetingId, membership } = ctx.requireMeeting();
      const { meeting, info } = await app.database.run(async (store) => ({ meeting: await getMeetingOr404(store, meetingId), info: await peerInfo(store, ctx.user, membership) }));
      if (meeting.status !== 'live') throw new AppError('MEETING_NOT_LIVE', 409, 'The video conference opens when the meeting starts');
      const s = await start();
      // A socket gone while the workers started (or the rows were read) has already run its leave hook: don't join it now.
      if (ctx.socket.disconnected) throw new AppError('MEDIA_ERROR', 409, 'Disconnected while joining the media room');
      const res = await s.getCapabilities(meetingId, ctx.socket.id, info);
      // Media may start after the floor was granted (or the server restarted): take the current speaker over.
      if (app.hasDecorator('conference')) {
        const speaker = (await app.conference.state(meetingId)).floor.speaker;
        await s.syncFloor(meetingId, speaker ? { userId: speaker.userId, bridgePointId: speaker.bridgePointId } : null);
      }
      return res;
    });
    rt.handle('transport:create', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.createTransport(meetingId, peerId, p);
    });
    rt.handle('transport:connect', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      await s.connectTransport(meetingId, peerId, p);
      return {};
    });
    rt.handle('transport:restart-ice', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.restartIce(meetingId, peerId, p.transportId);
    });
    rt.handle('media:produce', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.produce(meetingId, peerId, p);
    });
    rt.handle('media:consume', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.consume(meetingId, peerId, p);
    });
    rt.handle('consumer:pause', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      await s.setConsumerPaused(meetingId, peerId, p.consumerId, true);
      return {};
    });
    rt.handle('consumer:resume', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      await s.setConsumerPaused(meetingId, peerId, p.consumerId, false);
      return {};
    });
    rt.handle('consumer:set-layers', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.setConsumerLayers(meetingId, peerId, p);
    });
    rt.handle('producer:pause', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.setProducerPaused(meetingId, peerId, p.producerId, true);
    });
    rt.handle('producer:resume', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      return s.setProducerPaused(meetingId, peerId, p.producerId, false);
    });
    rt.handle('producer:close', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      s.closeProducer(meetingId, peerId, p.producerId);
      return {};
    });
    rt.handle('stage:set', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      const res = s.setStage(meetingId, peerId, p.source);
      await audit(ctx, meetingId, 'media.stage', { source: p.source });
      return res;
    });
    rt.handle('stage:pin', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      const res = s.pinStage(meetingId, peerId, p.pinned);
      await audit(ctx, meetingId, p.pinned ? 'media.stage_pin' : 'media.stage_unpin', { source: res.source });
      return res;
    });
    rt.handle('media:mute', async (ctx, p) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      const res = await s.mute(meetingId, peerId, p.source, p.muted);
      await audit(ctx, meetingId, p.muted ? 'media.mute' : 'media.unmute', { source: p.source });
      return res;
    });
    rt.handle('media:mute-all', async (ctx) => {
      const { s, meetingId, peerId } = await ctxOf(ctx);
      const res = await s.muteAll(meetingId, peerId);
      await audit(ctx, meetingId, 'media.mute_all', res);
      return res;
    });

    rt.snapshotPart('media', (meetingId, _user, m) => service?.snapshot(meetingId, m.kind === 'admin' || m.kind === 'secretariat') ?? emptyMediaSnapshot());
    rt.onLeave((meetingId, _user, socket) => service?.leave(meetingId, socket.id));

    if (app.hasDecorator('conference')) {
      app.conference.subscribe((meetingId, out) => {
        const s = service;
        if (!s) return;
        for (const o of out) {
          let job: Promise<void> | null = null;
          if (o.name === 'floor:granted') job = s.onFloorChanged(meetingId, { userId: o.payload.speaker.userId, bridgePointId: o.payload.speaker.bridgePointId }, true);
          else if (o.name === 'floor:revoked') job = s.onFloorChanged(meetingId, { userId: o.payload.userId, bridgePointId: o.payload.bridgePointId }, false);
          else if (o.name === 'meeting:ended') s.endMeeting(meetingId);
          job?.catch((err: unknown) => log.error({ err, meetingId }, 'could not apply the floor to the mics'));
        }
      });
    }

    app.addHook('onClose', async () => {
      closing = true;
      service?.close();
      await starting?.catch(() => {});
      service?.close();
      await service?.whenStopped();
    });
  },
  { name: 'media', dependencies: ['realtime', 'db', 'auth', 'redis'] },
);
