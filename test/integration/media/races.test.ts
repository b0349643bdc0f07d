// Races between media commands and the things that happen while they await:
// the floor changing under a produce, two floor decisions overlapping, a peer
// leaving mid-join, and a room that fails half-way through being created.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import { Room } from '../../../server/src/modules/media/room.ts';
import type { ms } from '../../../server/src/modules/media/mediasoup.ts';
import { bridgeInfo, chairInfo, eventually, expectCode, mediaOpts, newService, plainReceiver, plainSender, type PlainReceiver, WAIT_MS } from './support.ts';

let service: MediaService;
const closers: { close(): void }[] = [];

beforeAll(async () => {
  ({ service } = await newService({ numWorkers: 1 }));
});
afterEach(() => {
  while (closers.length) closers.pop()!.close();
});
afterAll(() => service?.close());

const routersInPool = () => service.pool.loads().reduce((a, l) => a + l.routers, 0);

/** Produces through the service (so the floor policy applies) and hands back the mediasoup producer. */
const viaService = (m: number, peerId: string) => (req: { transportId: string; kind: 'audio' | 'video'; rtpParameters: ms.RtpParameters }) =>
  service.produce(m, peerId, req).then(({ producerId }) => service.room(m)!.producerEntry(producerId).producer);

describe('media races', () => {
  it('a mic produced while the floor is being granted ends live', async () => {
    const M = 101;
    await service.getCapabilities(M, 'chair', chairInfo());
    await service.getCapabilities(M, 'b', bridgeInfo(31));
    const room = service.room(M)!;
    // The grant lands while produce() is between its gate check and the producer existing.
    let grant: Promise<void> | null = null;
    const sender = await plainSender(room, room.peer('b')!, { audio: true }, (req) => {
      const p = viaService(M, 'b')(req);
      grant = service.onFloorChanged(M, { userId: 931, bridgePointId: 31 }, true);
      return p;
    });
    closers.push(sender);
    await grant;
    expect(sender.audio!.paused).toBe(false);
    expect(service.snapshot(M, false).mics).toContainEqual({ source: { type: 'bridge', bridgePointId: 31 }, muted: false, by: 'floor' });
  });

  it('a mic produced while the floor is being revoked ends paused', async () => {
    const M = 102;
    await service.getCapabilities(M, 'chair', chairInfo());
    await service.getCapabilities(M, 'b', bridgeInfo(32));
    await service.onFloorChanged(M, { userId: 932, bridgePointId: 32 }, true);
    const room = service.room(M)!;
    let revoke: Promise<void> | null = null;
    const sender = await plainSender(room, room.peer('b')!, { audio: true }, (req) => {
      const p = viaService(M, 'b')(req);
      revoke = service.onFloorChanged(M, { userId: 932, bridgePointId: 32 }, false);
      return p;
    });
    closers.push(sender);
    await revoke;
    expect(sender.audio!.paused).toBe(true);
  });

  it('a grant and a revoke in flight together leave the mic as the last one says', async () => {
    const M = 103;
    await service.getCapabilities(M, 'chair', chairInfo());
    await service.getCapabilities(M, 'b', bridgeInfo(33));
    const room = service.room(M)!;
    const sender = await plainSender(room, room.peer('b')!, { audio: true }, viaService(M, 'b'));
    closers.push(sender);
    const rx: PlainReceiver = await plainReceiver(room, room.peer('chair')!);
    closers.push(rx);
    const c = await service.consume(M, 'chair', { transportId: rx.transport.id, producerId: sender.audio!.id });
    await service.setConsumerPaused(M, 'chair', c.consumerId, false);
    const holder = { userId: 933, bridgePointId: 33 };
    for (let i = 0; i < 5; i++) {
      await Promise.all([service.onFloorChanged(M, holder, true), service.onFloorChanged(M, holder, false)]);
      expect(sender.audio!.paused).toBe(true);
      await Promise.all([service.onFloorChanged(M, holder, false), service.onFloorChanged(M, holder, true)]);
      expect(sender.audio!.paused).toBe(false);
    }
    // And the media really flows after the last grant.
    const before = rx.sink.packets;
    await rx.sink.until(() => rx.sink.packets >= before + 10, WAIT_MS, 'audio after the last grant');
  });

  it('a peer that leaves during get-capabilities leaves no peer, router or observer behind', async () => {
    const M = 104;
    const before = routersInPool();
    const join = service.getCapabilities(M, 'gone', bridgeInfo(34));
    service.leave(M, 'gone'); // the socket disconnected while the room was being created
    await expectCode(join, 'MEDIA_ERROR');
    expect(service.room(M)).toBeNull();
    await eventually(() => routersInPool() === before, WAIT_MS, 'router given back');
  });

  it('a peer leaving mid-join does not close a room others are in', async () => {
    const M = 105;
    await service.getCapabilities(M, 'chair', chairInfo());
    const join = service.getCapabilities(M, 'gone', bridgeInfo(35));
    service.leave(M, 'gone');
    await expectCode(join, 'MEDIA_ERROR');
    const room = service.room(M)!;
    expect(room.closed).toBe(false);
    expect(room.peers().map((p) => p.id)).toEqual(['chair']);
    service.leave(M, 'chair');
  });

  it('link-state rows are removed with their peer', async () => {
    const M = 106;
    await service.getCapabilities(M, 'chair', chairInfo());
    await service.getCapabilities(M, 'b', bridgeInfo(36));
    const room = service.room(M)!;
    const sender = await plainSender(room, room.peer('b')!, { video: true }, viaService(M, 'b'));
    closers.push(sender);
    const rx = await plainReceiver(room, room.peer('chair')!);
    closers.push(rx);
    // Consuming creates the consumer's link row; so does the bridge's own.
    await service.consume(M, 'chair', { transportId: rx.transport.id, producerId: sender.video!.id });
    const d = await service.getCapabilities(M, 'd', bridgeInfo(37));
    expect(d.routerRtpCapabilities).toBeDefined();
    const rx2 = await plainReceiver(room, room.peer('d')!);
    closers.push(rx2);
    await service.consume(M, 'd', { transportId: rx2.transport.id, producerId: sender.video!.id });
    expect(service.snapshot(M, true).links.map((l) => l.source)).toContainEqual({ type: 'bridge', bridgePointId: 37 });
    service.leave(M, 'd');
    expect(service.snapshot(M, true).links.map((l) => l.source)).not.toContainEqual({ type: 'bridge', bridgePointId: 37 });
    expect(service.snapshot(M, true).links.length).toBeGreaterThan(0); // the chair's stays
  });

  it('a room whose creation fails half-way closes the router it made', async () => {
    const before = routersInPool();
    const pool = service.pool;
    const create = pool.createRouter.bind(pool);
    // Fault injection: the router is made, then the observer on it fails.
    pool.createRouter = async (avoid) => {
      const router = await create(avoid);
      router.createAudioLevelObserver = () => Promise.reject(new Error('observer refused'));
      return router;
    };
    try {
      await expect(Room.create({ meetingId: 107, pool, consumerBudget: 400, ...mediaOpts })).rejects.toThrow('observer refused');
    } finally {
      pool.createRouter = create;
    }
    await eventually(() => routersInPool() === before, WAIT_MS, 'router closed after the failed creation');
  });
});
