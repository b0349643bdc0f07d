// Past the consumer budget a room spreads to a router on another worker and
// pipes the producers it needs there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';
import { bridgeInfo, delegateInfo, eventually, newService, plainReceiver, plainSender, recorder, type PlainReceiver, type PlainSender, WAIT_MS } from './support.ts';

const M = 31;
const BUDGET = 3;
let service: MediaService;
let room: Room;
const notifier = recorder();
const closers: { close(): void }[] = [];
let cam: PlainSender;

const produceVia = (peerId: string) => (req: Parameters<MediaService['produce']>[2]) =>
  service.produce(M, peerId, req).then(({ producerId }) => room.producerEntry(producerId).producer);

async function viewer(peerId: string): Promise<{ rx: PlainReceiver; consumerId: string }> {
  await service.getCapabilities(M, peerId, delegateInfo(200 + closers.length));
  const rx = await plainReceiver(room, room.peer(peerId)!);
  closers.push(rx);
  const c = await service.consume(M, peerId, { transportId: rx.transport.id, producerId: cam.video!.id, spatialLayer: 1 });
  await service.setConsumerPaused(M, peerId, c.consumerId, false);
  return { rx, consumerId: c.consumerId };
}

beforeAll(async () => {
  ({ service } = await newService({ numWorkers: 2, consumerBudgetPerRouter: BUDGET }, notifier));
  await service.getCapabilities(M, 'b', bridgeInfo(1));
  room = service.room(M)!;
  cam = await plainSender(room, room.peer('b')!, { video: true }, produceVia('b'));
  closers.push(cam);
});

afterAll(() => {
  for (const c of closers) c.close();
  service?.close();
});

describe('cascade across workers', () => {
  it('fills the first router up to the budget', async () => {
    for (let i = 0; i < BUDGET; i++) {
      const { rx } = await viewer(`v${i}`);
      await rx.sink.until(() => rx.sink.packets > 5, WAIT_MS, `video at v${i}`);
    }
    const loads = room.routerLoads();
    expect(loads).toHaveLength(1);
    expect(loads[0]!.consumers).toBe(BUDGET);
  });

  it('adds a router on the other worker and pipes the camera there', async () => {
    const { rx } = await viewer('late');
    const loads = room.routerLoads();
    expect(loads).toHaveLength(2);
    expect(loads[1]!.workerPid).not.toBe(loads[0]!.workerPid);
    expect(service.pool.workers.map((w) => w.pid).sort()).toEqual([loads[0]!.workerPid, loads[1]!.workerPid].sort());
    // The new consumer landed on the new router.
    expect(loads[0]!.consumers).toBe(BUDGET);
    expect(loads[1]!.consumers).toBe(1);
    const lateEntry = room.peer('late')!.consumers()[0]!;
    expect(lateEntry.router.id).toBe(loads[1]!.routerId);
    // Real media crossed the pipe, at the layer asked for.
    await rx.sink.until(() => rx.sink.packets > 20 && rx.sink.lastLayer === 1, WAIT_MS, 'piped video at layer 1');
    expect(service.pool.loads().map((l) => l.consumers).sort()).toEqual([1, BUDGET]);
  });

  it('pausing the producer pauses it behind the pipe too', async () => {
    const late = room.peer('late')!.consumers()[0]!;
    await cam.video!.pause();
    await eventually(() => late.consumer.producerPaused, WAIT_MS, 'pipe producer paused');
    await cam.video!.resume();
    await eventually(() => !late.consumer.producerPaused, WAIT_MS, 'pipe producer resumed');
  });

  it('an audio producer on the second router still drives active-speaker detection', async () => {
    await service.getCapabilities(M, 'b2', bridgeInfo(2));
    const mic = await plainSender(room, room.peer('b2')!, { audio: true, level: 5 }, produceVia('b2'));
    closers.push(mic);
    const b2router = room.peer('b2')!.transports()[0]!.router.id;
    expect(b2router).toBe(room.routerLoads()[1]!.routerId);
    await service.onFloorChanged(M, { userId: 1, bridgePointId: 2 }, true);
    await eventually(() => notifier.of('speaker:active').some((s) => s.producerId === mic.audio!.id), WAIT_MS, 'speaker:active from b2');
  });

  it('drops the extra router when nothing uses it any more', async () => {
    service.leave(M, 'late');
    service.leave(M, 'b2');
    await eventually(() => room.routerLoads().length === 1, WAIT_MS, 'extra router closed');
    expect(room.closed).toBe(false);
  });

  it('closes the room when the last peer leaves', async () => {
    for (const p of room.peers()) service.leave(M, p.id);
    expect(room.closed).toBe(true);
    expect(service.room(M)).toBeNull();
    expect(service.pool.loads().every((l) => l.routers === 0 && l.consumers === 0)).toBe(true);
  });
});
