// Media across nodes (issue 12): two app instances in one process, each with
// its own mediasoup worker and the same CLUSTER_SECRET. Node A's stage is
// piped to node B over PipeTransports set up through the internal API, and a
// plain-RTP receiver on B must actually get A's packets; pause and close cross
// over, and nothing is left behind on either side when a node goes away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { loadConfig, type Config } from '../../../server/src/config.ts';
import { chairHallOf } from '../../../server/src/modules/meetings/meetings.access.ts';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import type { ms } from '../../../server/src/modules/media/mediasoup.ts';
import { CLUSTER_SECRET_HEADER } from '../../../server/src/modules/media/node-client.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';
import { demo } from '../conference/helpers.ts';
import { bridgeInfo, eventually, plainReceiver, plainSender, type PlainReceiver, type PlainSender } from './support.ts';

const SECRET = 'test-cluster-secret-0123456789-abcdef';
/** Generous: on a busy two-core machine a worker, a request or a heartbeat can be slow. */
const DEADLINE = 30_000;

const base = loadConfig();
const nodeConfig = (nodeId: string): Partial<Config> => ({
  mediasoup: { ...base.mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1 },
  cluster: { ...base.cluster, secret: SECRET, nodeId, nodeUrl: null, pipeListenIp: '127.0.0.1', requestTimeoutMs: 10_000, heartbeatMs: 300 },
});

let A: TestApp;
let B: TestApp;
let C: TestApp | null = null;
let D: TestApp | null = null;
let sA: MediaService;
let sB: MediaService;
let roomA: Room;
let M: number;
let hall: number;
let cam: PlainSender;
let rx: PlainReceiver | null = null;
let camD: PlainSender | null = null;
let piped: string[] = [];

/** Calls a node's internal API, with the cluster secret unless `secret` says otherwise. */
async function call(url: string, method: string, path: string, body?: unknown, secret: string | null = SECRET) {
  const res = await fetch(`${url}/internal/media${path}`, {
    method,
    headers: { ...(secret !== null ? { [CLUSTER_SECRET_HEADER]: secret } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(DEADLINE),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** Ids of the transports on a router, as its worker reports them. */
async function transportIds(router: ms.Router): Promise<string[]> {
  return ((await router.dump()) as { transportIds: string[] }).transportIds;
}
const routerOf = (room: Room) => room.producerEntries()[0]!.router;

beforeAll(async () => {
  [A, B] = await Promise.all([buildTestApp({ config: nodeConfig('node-a') }), buildTestApp({ config: nodeConfig('node-b') })]);
  await Promise.all([A.listen(), B.listen()]);
  // Both nodes were seeded alike, so the meeting and its chair's hall have the same ids on both.
  M = demo(A).meetingId;
  hall = (await A.app.database.run((s) => chairHallOf(s, M)))!;
  expect(hall).toBeGreaterThan(0);
  [sA, sB] = await Promise.all([A.app.media.service(), B.app.media.service()]);
  // On A the chair's hall (on stage from the start) sends camera and mic.
  await sA.getCapabilities(M, 'hall-a', bridgeInfo(hall));
  roomA = sA.room(M)!;
  cam = await plainSender(roomA, roomA.peer('hall-a')!, { video: true, audio: true });
}, 60_000);

afterAll(async () => {
  cam?.close();
  camD?.close();
  rx?.close();
  await Promise.all([A?.close(), B?.close(), C?.close(), D?.close()]);
});

describe('internal media API', () => {
  it('refuses a request without the cluster secret or with a wrong one (401, typed)', async () => {
    for (const secret of [null, 'wrong-secret-wrong-secret-wrong-secret']) {
      const res = await call(B.url, 'GET', '/ping', undefined, secret);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('UNAUTHENTICATED');
    }
    const ok = await call(B.url, 'GET', '/ping');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ nodeId: 'node-b', bootId: expect.any(String) });
  });

  it('refuses a malformed body (400 VALIDATION_FAILED) and an unknown link (404)', async () => {
    const bad = await call(B.url, 'POST', '/links', { linkId: 'x', meetingId: 'one', from: { nodeId: 'a', url: A.url }, ip: '127.0.0.1', port: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('VALIDATION_FAILED');
    const extra = await call(B.url, 'POST', `/meetings/${M}/pipe`, { nodeUrl: A.url, more: true });
    expect(extra.status).toBe(400);
    expect(extra.json.error.code).toBe('VALIDATION_FAILED');
    const unknown = await call(B.url, 'DELETE', '/links/no-such-link');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NOT_FOUND');
  });

  it('documents its routes in the OpenAPI document, marked internal and secured by the cluster secret', async () => {
    const doc = (await A.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, Record<string, Record<string, any>>> }>();
    const ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/internal/media/'))
      .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, op })));
    expect(ops).toHaveLength(7);
    for (const { id, op } of ops) {
      expect(op['x-internal'], id).toBe(true);
      expect(op.security, id).toEqual([{ cluster: [] }]);
      expect(op.summary?.trim(), id).toBeTruthy();
      expect(op.description?.trim(), id).toBeTruthy();
      expect(op.responses['401'], id).toBeDefined();
    }
  });

  it('has no internal routes on a node without CLUSTER_SECRET', async () => {
    const lone = await buildTestApp();
    try {
      const res = await lone.app.inject({ method: 'GET', url: '/internal/media/ping', headers: { [CLUSTER_SECRET_HEADER]: SECRET } });
      expect(res.statusCode).toBe(404);
    } finally {
      await lone.close();
    }
  });
});

describe('piping the stage from node A to node B', () => {
  it('pipes the stage and RTP arrives at a consumer on B', async () => {
    const res = await call(A.url, 'POST', `/meetings/${M}/pipe`, { nodeUrl: B.url });
    expect(res.status).toBe(200);
    piped = res.json.producerIds as string[];
    expect(piped.sort()).toEqual([cam.video!.id, cam.audio!.id].sort());

    // B's room holds them under the same ids, as the hall's: its stage and clients see the hall.
    const roomB = sB.room(M)!;
    for (const id of piped) expect(roomB.producerEntry(id).peer.source).toEqual({ type: 'bridge', bridgePointId: hall });

    // A commune on B consumes the hall's camera through the ordinary consume path.
    await sB.getCapabilities(M, 'commune-b', bridgeInfo(hall + 1000));
    rx = await plainReceiver(roomB, roomB.peer('commune-b')!);
    const c = await sB.consume(M, 'commune-b', { transportId: rx.transport.id, producerId: cam.video!.id, spatialLayer: 0 });
    await sB.setConsumerPaused(M, 'commune-b', c.consumerId, false);
    const sink = rx.sink;
    await sink.until(() => sink.packets > 50, DEADLINE, 'RTP from node A at a receiver on node B');
    const consumer = roomB.peer('commune-b')!.consumer(c.consumerId).consumer;
    await eventually(async () => ((await consumer.getStats()) as { type: string; packetCount?: number }[]).some((s) => s.type === 'outbound-rtp' && (s.packetCount ?? 0) > 0), DEADLINE, 'consumer stats on B');
    const pipedIn = roomB.producerEntry(cam.video!.id).producer;
    await eventually(async () => (await pipedIn.getStats()).some((s) => s.byteCount > 0), DEADLINE, 'piped producer stats on B');
  });

  it('is idempotent: piping again reuses the one link and the same producers', async () => {
    const again = await call(A.url, 'POST', `/meetings/${M}/pipe`, { nodeUrl: B.url });
    expect(again.status).toBe(200);
    expect((again.json.producerIds as string[]).sort()).toEqual([...piped].sort());
    const pipe = sA.cluster!.existingPipe(B.url)!;
    expect(pipe.transportIds()).toHaveLength(1);
    expect(pipe.pipedProducerIds().sort()).toEqual([...piped].sort());
    expect(sB.cluster!.ingress.linkIds()).toEqual(pipe.transportIds());
    // On A: the sender's plain transport and the one pipe transport, nothing more.
    expect(await transportIds(routerOf(roomA))).toHaveLength(2);
  });

  it('forwards pause and resume to the piped producer', async () => {
    const pipedIn = sB.room(M)!.producerEntry(cam.video!.id).producer;
    await cam.video!.pause();
    await eventually(() => pipedIn.paused, DEADLINE, 'piped producer paused on B');
    await cam.video!.resume();
    await eventually(() => !pipedIn.paused, DEADLINE, 'piped producer resumed on B');
  });

  it('closing the producer on A closes the piped one on B', async () => {
    const roomB = sB.room(M)!;
    const audioId = cam.audio!.id;
    cam.audio!.close();
    await eventually(() => !roomB.producerEntries().some((e) => e.producer.id === audioId), DEADLINE, 'piped audio closed on B');
    expect(sA.cluster!.existingPipe(B.url)!.pipedProducerIds()).toEqual([cam.video!.id]);
  });

  it('a node whose HTTP stops answering is found by the heartbeat and its pipes close', async () => {
    C = await buildTestApp({ config: nodeConfig('node-c') });
    await C.listen();
    const res = await call(A.url, 'POST', `/meetings/${M}/pipe`, { nodeUrl: C.url });
    expect(res.status).toBe(200);
    expect(sA.cluster!.existingPipe(C.url)!.transportIds()).toHaveLength(1);
    expect(await transportIds(routerOf(roomA))).toHaveLength(3);
    // C's process lives on but no longer answers (as a hung or cut-off node): no farewell reaches A.
    C.app.server.close();
    C.app.server.closeAllConnections();
    await eventually(() => sA.cluster!.existingPipe(C!.url) === null, DEADLINE, 'pipe to the silent node closed');
    await eventually(async () => (await transportIds(routerOf(roomA))).length === 2, DEADLINE, 'its pipe transport gone on A');
  });

  it('an origin that goes silent: the target closes its links and the piped producers leave its room', async () => {
    D = await buildTestApp({ config: nodeConfig('node-d') });
    await D.listen();
    const sD = await D.app.media.service();
    await sD.getCapabilities(M, 'bridge-d', bridgeInfo(hall + 1));
    const roomD = sD.room(M)!;
    camD = await plainSender(roomD, roomD.peer('bridge-d')!, { video: true });
    expect(await sD.pipeProducerTo(M, camD.video!.id, A.url)).toBe(camD.video!.id);
    const remote = roomA.producerEntry(camD.video!.id);
    expect(remote.peer.id).toBe('node-d/bridge-d');
    expect(sA.cluster!.ingress.isRemotePeer(remote.peer)).toBe(true);
    // A stream piped in is never relayed onward: its own origin sends it where it is needed.
    const relay = await call(A.url, 'POST', `/meetings/${M}/pipe`, { nodeUrl: B.url, producerIds: [camD.video!.id] });
    expect(relay.status).toBe(400);
    expect(relay.json.error.code).toBe('VALIDATION_FAILED');
    expect(sA.cluster!.ingress.linkIds()).toHaveLength(1);
    D.app.server.close();
    D.app.server.closeAllConnections();
    await eventually(() => sA.cluster!.ingress.linkIds().length === 0, DEADLINE, 'link from the silent origin closed');
    expect(roomA.producerEntries().map((e) => e.producer.id)).toEqual([cam.video!.id]);
    expect(roomA.peer('node-d/bridge-d')).toBeUndefined();
  });

  it('closing node B closes A\'s pipe transports to it', async () => {
    await B.close();
    await eventually(() => sA.cluster!.existingPipe(B.url) === null, DEADLINE, 'pipe to B closed on A');
    // Only the sender's own plain transport remains on A's router.
    await eventually(async () => (await transportIds(routerOf(roomA))).length === 1, DEADLINE, 'pipe transports gone on A');
    expect(roomA.producerEntry(cam.video!.id).producer.closed).toBe(false);
  });
});
