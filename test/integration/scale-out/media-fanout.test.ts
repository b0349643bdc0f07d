/**
 * Media across nodes without anyone calling pipeStageTo (issue 12): two nodes on one real Redis
 * (REDIS_URL) and one CLUSTER_SECRET find each other through the media directory, and the node
 * holding the meeting's stage and open mics sends them to the node whose bridges follow that
 * meeting. A commune on node B receives the chair's hall on node A through the ordinary consume
 * path; the stage moving away closes the pipe, a stage set by a chair on B is judged by A the same
 * way, and a node that stops takes its pipes and its directory entry with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisService } from '../../../scripts/lib/services.mjs';
import { loadConfig, type Config } from '../../../server/src/config.ts';
import { chairHallOf } from '../../../server/src/modules/meetings/meetings.access.ts';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { demo } from '../conference/helpers.ts';
import { bridgeInfo, chairInfo, eventually, plainReceiver, plainSender, type PlainReceiver, type PlainSender } from '../media/support.ts';

const SECRET = 'test-cluster-secret-fanout-0123456789';
/** Generous: a busy two-core machine may be slow to start a worker, answer a request or beat. */
const DEADLINE = 60_000;

let redis: RedisService;
let dataDir: string;
let A: TestApp;
let B: TestApp | null = null;
let sA: MediaService;
let sB: MediaService;
let M: number;
let hall: number;
let cam: PlainSender | null = null;
let rx: PlainReceiver | null = null;

const base = loadConfig();
const nodeConfig = (nodeId: string, redisUrl: string): Partial<Config> => ({
  redisUrl,
  mediasoup: { ...base.mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1 },
  cluster: { ...base.cluster, secret: SECRET, nodeId, nodeUrl: null, pipeListenIp: '127.0.0.1', requestTimeoutMs: 10_000, heartbeatMs: 300 },
});
const node = async (nodeId: string) => {
  const t = await buildTestApp({ dataDir, config: nodeConfig(nodeId, redis.url) });
  await t.listen();
  return t;
};
const has = (s: MediaService, producerId: string) => !!s.room(M)?.producerEntries().some((e) => e.producer.id === producerId);
const pipedToB = () => sA.cluster!.existingPipe(B!.url)?.pipedProducerIds() ?? [];

beforeAll(async () => {
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'diemcau-fanout-'));
  // One after the other: the first migrates and seeds the shared SQLite file, the second finds it ready.
  A = await node('node-a');
  B = await node('node-b');
  M = demo(A).meetingId;
  hall = (await A.app.database.run((s) => chairHallOf(s, M)))!;
  [sA, sB] = await Promise.all([A.app.media.service(), B.app.media.service()]);
}, 180_000);

afterAll(async () => {
  cam?.close();
  rx?.close();
  await B?.close({ keepData: true });
  await A?.close({ keepData: true });
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('stage and floor piped between nodes on their own', () => {
  it("a commune on node B receives the chair's hall on node A (stage and open mic) without a manual pipe", async () => {
    // The commune joins on B first: B's room announces itself in the directory.
    await sB.getCapabilities(M, 'commune-b', bridgeInfo(hall + 1000));
    // Then the chair's hall (on stage from the start, its mic open) publishes on A.
    await sA.getCapabilities(M, 'hall-a', bridgeInfo(hall));
    const roomA = sA.room(M)!;
    cam = await plainSender(roomA, roomA.peer('hall-a')!, { video: true, audio: true });
    await eventually(() => has(sB, cam!.video!.id) && has(sB, cam!.audio!.id), DEADLINE, "the hall's camera and mic on node B");

    // On B they are the hall's, on B's stage, and consumed like local producers.
    const roomB = sB.room(M)!;
    expect(roomB.producerEntry(cam.video!.id).peer.source).toEqual({ type: 'bridge', bridgePointId: hall });
    expect(roomB.producerEntry(cam.video!.id).peer.remote).toBe(true);
    expect(sB.snapshot(M, false).stage).toMatchObject({ videoProducerId: cam.video!.id, audioProducerId: cam.audio!.id });
    rx = await plainReceiver(roomB, roomB.peer('commune-b')!);
    const c = await sB.consume(M, 'commune-b', { transportId: rx.transport.id, producerId: cam.video!.id, spatialLayer: 0 });
    await sB.setConsumerPaused(M, 'commune-b', c.consumerId, false);
    const sink = rx.sink;
    await sink.until(() => sink.packets > 50, DEADLINE, 'RTP from node A at a receiver on node B');
  }, 120_000);

  it('the stage moving away from the hall closes the video pipe; its open mic stays piped', async () => {
    await sA.getCapabilities(M, 'chair-a', chairInfo());
    sA.setStage(M, 'chair-a', { type: 'bridge', bridgePointId: hall + 1 });
    await eventually(() => !has(sB, cam!.video!.id), DEADLINE, 'the piped camera gone from node B');
    expect(pipedToB()).toEqual([cam!.audio!.id]);
    expect(has(sB, cam!.audio!.id)).toBe(true);
    // B judges by the same stage: the move reached it as a hint.
    await eventually(() => sB.snapshot(M, false).stage.source?.type === 'bridge' && (sB.snapshot(M, false).stage.source as { bridgePointId: number }).bridgePointId === hall + 1, DEADLINE, "node B's stage follows");
  }, 90_000);

  it('a closed mic stops being piped, and an opened one is piped again', async () => {
    await cam!.audio!.pause();
    await eventually(() => !has(sB, cam!.audio!.id), DEADLINE, 'the closed mic gone from node B');
    expect(pipedToB()).toEqual([]);
    await cam!.audio!.resume();
    await eventually(() => has(sB, cam!.audio!.id), DEADLINE, 'the opened mic back on node B');
  }, 90_000);

  it('a chair on node B putting the hall back on stage brings its camera to B', async () => {
    await sB.getCapabilities(M, 'chair-b', chairInfo(2));
    sB.setStage(M, 'chair-b', { type: 'bridge', bridgePointId: hall });
    await eventually(() => has(sB, cam!.video!.id), DEADLINE, "the hall's camera piped to node B again");
    expect(sA.snapshot(M, false).stage.source).toEqual({ type: 'bridge', bridgePointId: hall });
    expect(sB.snapshot(M, false).stage.videoProducerId).toBe(cam!.video!.id);
  }, 90_000);

  it("node B's last bridge leaving closes its room, and A stops sending there", async () => {
    rx?.close();
    rx = null;
    for (const p of ['commune-b', 'chair-b']) sB.leave(M, p);
    await eventually(() => sB.room(M) === null, DEADLINE, "node B's room closed though it held piped streams");
    await eventually(() => pipedToB().length === 0 && (sA.cluster!.existingPipe(B!.url)?.transportIds().length ?? 0) === 0, DEADLINE, 'no pipe left from A to B');
  }, 90_000);

  it('a node that stops leaves the directory, and the other sends it nothing more', async () => {
    await sB.getCapabilities(M, 'commune-b2', bridgeInfo(hall + 1000));
    await eventually(() => has(sB, cam!.video!.id), DEADLINE, 'piped to B again once a bridge is back');
    const bUrl = B!.url;
    await B!.close({ keepData: true });
    B = null;
    await eventually(() => sA.cluster!.existingPipe(bUrl) === null, DEADLINE, 'the pipe to the stopped node closed');
    expect(await A.app.redis!.hKeys(`diemcau:media:meeting:${M}`)).not.toContain('node-b');
    expect(await A.app.redis!.exists('diemcau:media:node:node-b')).toBe(0);
  }, 90_000);
});
