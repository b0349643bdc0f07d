// Room lifecycle against the real mediasoup worker, with RTP generated in the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../server/src/modules/media/worker-pool.ts';
import { Room } from '../../../server/src/modules/media/room.ts';
import { AppError } from '../../../server/src/lib/app-error.ts';
import { bridgeInfo, chairInfo, config, eventually, mediaOpts, plainReceiver, plainSender, type PlainReceiver, type PlainSender } from './support.ts';

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
    await rx.sink.until(() => rx.sink.packets > 30, 5000, 'video packets');
    expect(rx.sink.lastLayer).toBe(0);

    await low.consumer.setPreferredLayers({ spatialLayer: 2 });
    await rx.sink.until(() => rx.sink.lastLayer === 2, 5000, 'layer 2');
  });
});
