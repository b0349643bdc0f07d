// A worker killed under a live room: the room is rebuilt on a live worker, the
// clients are told to rejoin, and a meeting on the other worker never notices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import { bridgeInfo, chairInfo, eventually, newService, plainReceiver, plainSender, recorder, type PlainReceiver, type PlainSender, WAIT_MS } from './support.ts';

let service: MediaService;
const notifier = recorder();
const closers: { close(): void }[] = [];

/** Joins a bridge and the chair to meeting `m` with plain RTP and returns the chair's sink. */
async function meeting(m: number, bridgePointId: number): Promise<{ cam: PlainSender; rx: PlainReceiver }> {
  await service.getCapabilities(m, 'chair', chairInfo());
  await service.getCapabilities(m, `b${bridgePointId}`, bridgeInfo(bridgePointId));
  const room = service.room(m)!;
  const cam = await plainSender(room, room.peer(`b${bridgePointId}`)!, { video: true }, (req) =>
    service.produce(m, `b${bridgePointId}`, req).then(({ producerId }) => room.producerEntry(producerId).producer),
  );
  const rx = await plainReceiver(room, room.peer('chair')!);
  const c = await service.consume(m, 'chair', { transportId: rx.transport.id, producerId: cam.video!.id, spatialLayer: 0 });
  await service.setConsumerPaused(m, 'chair', c.consumerId, false);
  closers.push(cam, rx);
  await rx.sink.until(() => rx.sink.packets > 5, WAIT_MS, `video in meeting ${m}`);
  return { cam, rx };
}

beforeAll(async () => {
  ({ service } = await newService({ numWorkers: 2 }, notifier));
});
afterAll(() => {
  for (const c of closers) c.close();
  service?.close();
});

describe('worker death', () => {
  it('rebuilds the affected room and leaves other rooms alone', async () => {
    await meeting(1, 1);
    const other = await meeting(2, 2);
    const victimPid = service.room(1)!.routerLoads()[0]!.workerPid!;
    const otherPid = service.room(2)!.routerLoads()[0]!.workerPid!;
    expect(victimPid).not.toBe(otherPid);
    service.room(1)!.once('close', () => {}); // the room closes itself; nothing else to do here
    const oldRoom = service.room(1)!;
    process.kill(victimPid, 'SIGKILL');

    await eventually(() => notifier.of('media:room-reset').length === 1, WAIT_MS, 'media:room-reset');
    expect(notifier.sent.find((s) => s.event === 'media:room-reset')!.to).toEqual({ meetingId: 1 });
    expect(oldRoom.closed).toBe(true);
    expect(service.room(1)).toBeNull();
    // The other meeting's media kept flowing.
    const before = other.rx.sink.packets;
    await other.rx.sink.until(() => other.rx.sink.packets > before + 10, WAIT_MS, 'meeting 2 video after the kill');
    expect(service.room(2)!.closed).toBe(false);

    // The pool replaced the dead worker.
    await eventually(() => service.pool.workers.length === 2 && !service.pool.workers.some((w) => w.pid === victimPid), WAIT_MS, 'replacement worker');

    // Clients rejoin by themselves: the same calls as a fresh join work again.
    const again = await meeting(1, 1);
    expect(again.rx.sink.packets).toBeGreaterThan(5);
    expect(service.room(1)!.routerLoads()[0]!.workerPid).not.toBe(victimPid);
  });

  it('keeps the stage choice across the rebuild', async () => {
    service.setStage(1, 'chair', { type: 'bridge', bridgePointId: 1 });
    const pid = service.room(1)!.routerLoads()[0]!.workerPid!;
    process.kill(pid, 'SIGKILL');
    await eventually(() => notifier.of('media:room-reset').length === 2, WAIT_MS, 'second reset');
    await eventually(() => service.pool.workers.length === 2, WAIT_MS, 'replacement worker');
    const { cam } = await meeting(1, 1);
    expect(service.snapshot(1, true).stage).toEqual({ source: { type: 'bridge', bridgePointId: 1 }, videoProducerId: cam.video!.id, audioProducerId: null, pinned: false });
  });
});
