// Room lifecycle against the real mediasoup worker, with RTP generated in the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../server/src/modules/media/worker-pool.ts';
import { Room } from '../../../server/src/modules/media/room.ts';
import { bridgeInfo, chairInfo, config, eventually, expectCode, mediaOpts, plainReceiver, plainSender, type PlainReceiver, type PlainSender, WAIT_MS } from './support.ts';

let pool: WorkerPool;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  pool = await WorkerPool.create({ ...config.mediasoup, numWorkers: 2 });
});
afterAll(() => pool.close());
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const newRoom = async (meetingId = 1) => {
  const room = await Room.create({ meetingId, pool, consumerBudget: 400, ...mediaOpts });
  cleanups.push(() => room.close());
  return room;
};
const track = <T extends PlainSender | PlainReceiver>(x: T): T => {
  cleanups.push(() => x.close());
  return x;
};

describe('Room lifecycle', () => {
  it('forwards a bridge camera to a consumer at the requested simulcast layer', async () => {
    const room = await newRoom();
    const bridge = room.addPeer('b1', bridgeInfo(1));
    const chair = room.addPeer('c1', chairInfo());
    const sender = track(await plainSender(room, bridge, { video: true, audio: true }));
    expect(sender.video!.type).toBe('simulcast');
    const rx = track(await plainReceiver(room, chair));
    const low = await room.consume(chair, { transportId: rx.transport.id, producerId: sender.video!.id, spatialLayer: 0, paused: false });
    expect(low.consumer.type).toBe('simulcast');
    await rx.sink.until(() => rx.sink.packets > 30, WAIT_MS, 'video packets');
    expect(rx.sink.lastLayer).toBe(0);

    await low.consumer.setPreferredLayers({ spatialLayer: 2 });
    await rx.sink.until(() => rx.sink.lastLayer === 2, WAIT_MS, 'layer 2');
  });

  it('closes a leaving peer\'s producers and the consumers of them, and tells the room', async () => {
    const room = await newRoom(2);
    const bridge = room.addPeer('b1', bridgeInfo(1));
    const chair = room.addPeer('c1', chairInfo());
    const sender = track(await plainSender(room, bridge, { video: true, audio: true }));
    const rx = track(await plainReceiver(room, chair));
    const entry = await room.consume(chair, { transportId: rx.transport.id, producerId: sender.video!.id, paused: false });
    const closed: string[] = [];
    room.on('producerclosed', ({ producerId }) => closed.push(producerId));
    expect(room.addPeer('b1', bridgeInfo(1))).toBe(bridge); // same id → same peer

    room.removePeer('b1');
    expect(bridge.closed).toBe(true);
    expect(closed.sort()).toEqual([sender.audio!.id, sender.video!.id].sort());
    await eventually(() => entry.consumer.closed, WAIT_MS, 'consumer closed with its producer');
    expect(chair.consumers()).toEqual([]);
    await expectCode(room.consume(chair, { transportId: rx.transport.id, producerId: sender.video!.id }), 'NOT_FOUND');
    expect(room.closed).toBe(false);
  });

  it('closes itself when empty, idempotently, and refuses new peers after', async () => {
    const room = await newRoom(3);
    const reasons: string[] = [];
    room.on('close', (r) => reasons.push(r));
    room.addPeer('a', chairInfo());
    room.addPeer('b', bridgeInfo(2));
    room.removePeer('a');
    expect(room.closed).toBe(false);
    room.removePeer('b');
    expect(room.closed).toBe(true);
    room.close();
    room.removePeer('b');
    expect(reasons).toEqual(['empty']);
    await expectCode(async () => room.addPeer('c', chairInfo()), 'MEDIA_ERROR');
    expect(pool.loads().reduce((a, l) => a + l.routers, 0)).toBe(0);
  });
});
