/**
 * The meetings' media, for MediaService (media.service.ts): each meeting's
 * state made once, its Room (room.ts) opened and wired to the meeting's policy,
 * and the live rooms looked at across meetings (link sampling, worker loads).
 * The service keeps the maps; these take them as arguments.
 */
import type { MediaWorkerLoad } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';
import { LinkMonitor } from './link-monitor.ts';
import type { MediaLogger } from './logger.ts';
import type { MediaFanout } from './media.fanout.ts';
import type { MediaServiceOptions } from './media.options.ts';
import * as signalling from './media.signalling.ts';
import * as stage from './media.stage.ts';
import type { MeetingMedia } from './meeting-media.ts';
import { Room } from './room.ts';
import type { WorkerPool } from './worker-pool.ts';

/** The one promise for `key` in `promises`, made by `create` on first use. */
export function onePromise<K, V>(promises: Map<K, Promise<V>>, key: K, create: () => Promise<V>): Promise<V> {
  let state = promises.get(key);
  if (!state) {
    state = create();
    promises.set(key, state);
    // A failed read is not remembered: the next caller tries again.
    const failed = state;
    failed.catch(() => {
      if (promises.get(key) === failed) promises.delete(key);
    });
  }
  return state;
}

export interface OpenRoomDeps {
  pool: WorkerPool;
  opts: MediaServiceOptions;
  log: MediaLogger;
  fanout: MediaFanout | null;
  /** The media service is stopping (MeetingMedia.attach). */
  stopping: () => boolean;
}

/** Creates the meeting's room and wires it up; failures become MEDIA_ERROR 503 (AppErrors pass as they are). */
export function openRoom(mm: MeetingMedia, { pool, opts, log, fanout, stopping }: OpenRoomDeps): Promise<Room> {
  return Room.create({
    meetingId: mm.meetingId,
    pool,
    consumerBudget: opts.consumerBudgetPerRouter,
    listenIp: opts.listenIp,
    announcedIp: opts.announcedIp,
    logger: log,
  })
    .then((room) => {
      mm.attach(room, stopping);
      // Announcements first, so `producer:added` precedes the `stage:changed` that names the new producer.
      signalling.announceProducers(mm, room);
      stage.followStage(mm, room);
      fanout?.watch(mm, room);
      return room;
    })
    .catch((err: unknown) => {
      throw err instanceof AppError ? err : new AppError('MEDIA_ERROR', 503, `Media room unavailable: ${(err as Error).message}`);
    });
}

/** Samples the link quality of every live room's peers and tells each peer (and the chair) of changes. */
export function linkMonitor(opts: MediaServiceOptions, log: MediaLogger, meetings: ReadonlyMap<number, MeetingMedia>): LinkMonitor {
  return new LinkMonitor({
    intervalMs: opts.linkIntervalMs ?? 2000,
    ...(opts.linkThresholds ? { thresholds: opts.linkThresholds } : {}),
    log,
    rooms: () => [...meetings].flatMap(([meetingId, mm]) => (mm.room && !mm.room.closed ? [{ meetingId, room: mm.room, links: mm.links }] : [])),
    notify: (peerId, info) => opts.notifier.toPeer(peerId, 'link:changed', info),
  });
}

/** Each worker's load and the meetings whose routers run on it (the admin page). */
export function workerLoads(pool: WorkerPool, meetings: ReadonlyMap<number, MeetingMedia>): MediaWorkerLoad[] {
  const live = [...meetings].flatMap(([id, mm]) => (mm.room && !mm.room.closed ? [{ id, room: mm.room }] : []));
  return pool.loads().map((l) => ({
    index: l.index,
    pid: l.pid,
    cpu: l.cpu,
    modeled: l.modeled,
    load: l.load,
    limit: l.limit,
    consumers: l.consumers,
    producers: l.producers,
    pipes: l.pipes,
    meetingIds: live.filter(({ room }) => room.routerLoads().some((r) => r.workerPid !== null && r.workerPid === l.pid)).map(({ id }) => id),
  }));
}
