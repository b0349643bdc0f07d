// Placement by worker load: a room stays on one router while its worker has
// room, spreads to the other worker past the (here lowered) CPU limit, pipes
// there only what consumers there watch, and unpipes what nobody watches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';
import type { ms } from '../../../server/src/modules/media/mediasoup.ts';
import { bridgeInfo, chairInfo, delegateInfo, eventually, newService, plainReceiver, plainSender, type PlainReceiver, type PlainSender, WAIT_MS } from './support.ts';

const M = 41;
let service: MediaService;
let room: Room;
const closers: { close(): void }[] = [];
let stage: PlainSender;
let speaker: PlainSender;
let unwatched: PlainSender;

const produceVia = (peerId: string) => (req: Parameters<MediaService['produce']>[2]) =>
  service.produce(M, peerId, req).then(({ producerId }) => room.producerEntry(producerId).producer);

/** Outbound RTP packets a consumer has sent, from its stats. */
async function sentPackets(c: ms.Consumer): Promise<number> {
  const stats = await c.getStats();
  return stats.filter((s) => s.type === 'outbound-rtp').reduce((a, s) => a + s.packetCount, 0);
}

async function viewer(peerId: string, userId: number, producers: ms.Producer[]): Promise<{ rx: PlainReceiver; consumers: ms.Consumer[] }> {
  await service.getCapabilities(M, peerId, delegateInfo(userId));
  const rx = await plainReceiver(room, room.peer(peerId)!);
  closers.push(rx);
  const consumers: ms.Consumer[] = [];
  for (const p of producers) {
    const c = await service.consume(M, peerId, { transportId: rx.transport.id, producerId: p.id, spatialLayer: 0 });
    await service.setConsumerPaused(M, peerId, c.consumerId, false);
    consumers.push(room.peer(peerId)!.consumer(c.consumerId).consumer);
  }
  return { rx, consumers };
}

beforeAll(async () => {
  // One unit per item and a limit of 10 units: a transport stays while load + 2 (its consumers)
  // + 2 (the pipes a spread would cost) stays under 10, so the three bridges' five producers
  // plus one viewer's two consumers fill the first worker. Sampling is slowed so the model decides.
  ({ service } = await newService({ numWorkers: 2, consumerBudgetPerRouter: 2000, workerCpuLimit: 10, loadSampleMs: 600_000, cost: { consumer: 1, producer: 1, pipe: 1 } }));
  await service.getCapabilities(M, 'chair', chairInfo());
  room = service.room(M)!;
  for (const [id, bp] of [['stage', 1], ['speaker', 2], ['other', 3]] as const) await service.getCapabilities(M, id, bridgeInfo(bp));
  stage = await plainSender(room, room.peer('stage')!, { video: true, audio: true }, produceVia('stage'));
  speaker = await plainSender(room, room.peer('speaker')!, { video: true, audio: true }, produceVia('speaker'));
  unwatched = await plainSender(room, room.peer('other')!, { video: true }, produceVia('other'));
  closers.push(stage, speaker, unwatched);
  service.setStage(M, 'chair', { type: 'bridge', bridgePointId: 1 });
  await service.onFloorChanged(M, { userId: 102, bridgePointId: 2 }, true);
});

afterAll(() => {
  for (const c of closers) c.close();
  service?.close();
});

describe('placement by worker load', () => {
  it('keeps the room on one router while its worker has room', async () => {
    await viewer('v1', 301, [stage.video!, speaker.audio!]);
    expect(room.routerLoads()).toHaveLength(1);
    const [w] = service.pool.loads().filter((l) => l.routers > 0);
    expect(w).toMatchObject({ producers: 5, consumers: 2, pipes: 0 });
    expect(w!.load).toBeGreaterThanOrEqual(7);
  });

  it('past the limit, spreads to the other worker; its consumers get the stage and the speaker', async () => {
    const { rx, consumers } = await viewer('v2', 302, [stage.video!, speaker.audio!]);
    const loads = room.routerLoads();
    expect(loads).toHaveLength(2);
    expect(loads[1]!.workerPid).not.toBe(loads[0]!.workerPid);
    expect(room.peer('v2')!.consumers().every((c) => c.router.id === loads[1]!.routerId)).toBe(true);
    // RTP really flows through the pipes: both consumers send, and the sink sees video and audio.
    await eventually(async () => (await sentPackets(consumers[0]!)) > 20 && (await sentPackets(consumers[1]!)) > 20, WAIT_MS, 'stage video and speaker audio on the second router');
    await rx.sink.until(() => rx.sink.packets > 40, WAIT_MS, 'packets at the second router\'s viewer');
    // Only what is consumed there is piped; the unwatched camera and the other mic are not.
    expect(new Set(loads[1]!.pipedProducerIds)).toEqual(new Set([stage.video!.id, speaker.audio!.id]));
    expect(loads[1]!.pipedProducerIds).not.toContain(unwatched.video!.id);
    expect(loads[1]!.pipedProducerIds).not.toContain(stage.audio!.id);
    // The sending worker is charged for its pipes.
    const sender = service.pool.loads().find((l) => l.pid === loads[0]!.workerPid)!;
    expect(sender.pipes).toBe(2);
  });

  it('unpipes a producer when no consumer on that router uses it any more', async () => {
    // A second viewer there keeps the speaker only; when v2 leaves, the stage pipe closes.
    await viewer('v3', 303, [speaker.audio!]);
    expect(room.peer('v3')!.consumers()[0]!.router.id).toBe(room.routerLoads()[1]!.routerId);
    service.leave(M, 'v2');
    await eventually(() => room.routerLoads()[1]!.pipedProducerIds.length === 1, WAIT_MS, 'stage pipe closed');
    expect(room.routerLoads()[1]!.pipedProducerIds).toEqual([speaker.audio!.id]);
    const sender = service.pool.loads().find((l) => l.pid === room.routerLoads()[0]!.workerPid)!;
    await eventually(() => service.pool.loads().find((l) => l.pid === sender.pid)!.pipes === 1, WAIT_MS, 'sender charged for one pipe');
  });

  it('a new room goes to the least loaded worker', async () => {
    const busy = room.routerLoads()[0]!.workerPid;
    await service.getCapabilities(M + 1, 'x', chairInfo(9));
    expect(service.room(M + 1)!.routerLoads()[0]!.workerPid).not.toBe(busy);
    service.leave(M + 1, 'x');
  });

  it('measures each worker\'s CPU from getResourceUsage', async () => {
    const first = room.routerLoads()[0]!.workerPid;
    await service.pool.sampleLoad();
    await eventually(async () => {
      await new Promise((r) => setTimeout(r, 300));
      await service.pool.sampleLoad();
      return (service.pool.loads().find((l) => l.pid === first)!.cpu ?? 0) > 0;
    }, 30_000, 'measured CPU of the worker forwarding the media');
    for (const l of service.pool.loads()) expect(l.load).toBeGreaterThanOrEqual(Math.max(l.cpu ?? 0, l.modeled));
  });
});
