// The media contract over real Socket.IO connections: role checks, the floor
// opening a bridge mic through the conference module, stage, resets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSnapshot, MediaWorkers } from '@diemcau/shared';
import { bearer, buildTestApp, connect, login, nextEvent, request, type TestApp, type TestSocket } from '../../helpers/app.ts';
import { opusParameters, vp8SimulcastParameters } from '../../../scripts/lib/rtp-mediasoup.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { demo, expectError, okData, type Demo } from '../conference/helpers.ts';
import { eventually, LAYERS, ssrc, WAIT_MS } from './support.ts';
import { and, eq, like } from 'drizzle-orm';
import { auditLog } from '../../../server/src/db/schema.ts';

let t: TestApp;
let d: Demo;
const sockets: TestSocket[] = [];

async function member(username: string): Promise<{ socket: TestSocket; snapshot: { media?: MediaSnapshot } }> {
  const socket = await connect(t.url, await login(t.app, username));
  sockets.push(socket);
  const snapshot = okData(await request<{ media?: MediaSnapshot }>(socket, 'meeting:join', { meetingId: d.meetingId }));
  return { socket, snapshot };
}
const caps = (s: TestSocket) => request<{ routerRtpCapabilities: unknown }>(s, 'media:get-capabilities', {});

let chair: TestSocket;
let bridge: TestSocket;
let delegate: TestSocket;
let observer: TestSocket;
let bridgeMicId: string;

beforeAll(async () => {
  t = await buildTestApp({
    config: { mediasoup: { ...loadConfig().mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 2 } },
  });
  await t.listen();
  d = demo(t);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

describe('media over Socket.IO', () => {
  it('opens only when the meeting is live, and starts no worker before', async () => {
    ({ socket: chair } = await member('vanphong'));
    expectError(await caps(chair), 'MEETING_NOT_LIVE');
    expect(t.app.media.started()).toBeNull();
    okData(await request(chair, 'meeting:start', { meetingId: d.meetingId }));
    const res = okData(await caps(chair));
    expect(JSON.stringify(res.routerRtpCapabilities)).toContain('video/VP8');
    expect(t.app.media.started()!.pool.workers).toHaveLength(2);
  });

  it('shows the secretariat each worker\'s load and the meetings on it; others may not look', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/media/workers', headers: bearer(await login(t.app, 'vanphong')) });
    expect(res.statusCode).toBe(200);
    const body = res.json<MediaWorkers>();
    expect(body.started).toBe(true);
    expect(body.workers).toHaveLength(2);
    expect(body.workers.flatMap((w) => w.meetingIds)).toEqual([d.meetingId]);
    for (const w of body.workers) expect(w.limit).toBeGreaterThan(0);
    const denied = await t.app.inject({ method: 'GET', url: '/api/media/workers', headers: bearer(await login(t.app, 'daibieu01')) });
    expect(denied.statusCode).toBe(403);
  });

  it('a join snapshot carries the media part', async () => {
    // cau.tinh2 is an ordinary bridge; cau.tinh1 is the chair's hall, on stage and live from the start.
    const joined = await member('cau.tinh2');
    bridge = joined.socket;
    const hall = { type: 'bridge', bridgePointId: d.bridgeOf('cau.tinh1') };
    expect(joined.snapshot.media).toMatchObject({ stage: { source: hall, pinned: false }, producers: [] });
    expect((joined.snapshot.media as { mics: unknown[] }).mics).toContainEqual({ source: hall, muted: false, by: 'chair' });
    ({ socket: delegate } = await member('daibieu01'));
    ({ socket: observer } = await member('quansat'));
    for (const s of [bridge, delegate, observer]) okData(await caps(s));
  });

  it('checks roles: only bridges and the secretariat send video; observers send nothing', async () => {
    expectError(await request(observer, 'transport:create', { direction: 'send' }), 'FORBIDDEN');
    const dt = okData(await request<{ id: string }>(delegate, 'transport:create', { direction: 'send' }));
    expectError(await request(delegate, 'media:produce', { transportId: dt.id, kind: 'video', rtpParameters: vp8SimulcastParameters(LAYERS()) }), 'FORBIDDEN');
    // A delegate seated at a bridge speaks through the bridge mic, not the phone.
    expectError(await request(delegate, 'media:produce', { transportId: dt.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) }), 'FORBIDDEN');

    const bt = okData(await request<{ id: string; iceCandidates: { ip: string }[] }>(bridge, 'transport:create', { direction: 'send' }));
    expect(bt.iceCandidates[0]!.ip).toBe('127.0.0.1');
    const added = nextEvent<{ producerId: string; source: unknown; paused: boolean }>(chair, 'producer:added');
    const video = okData(await request<{ producerId: string; paused: boolean }>(bridge, 'media:produce', { transportId: bt.id, kind: 'video', rtpParameters: vp8SimulcastParameters(LAYERS()) }));
    expect(video.paused).toBe(false);
    expect(await added).toMatchObject({ producerId: video.producerId, source: { type: 'bridge', bridgePointId: d.bridgeOf('cau.tinh2') } });
    const mic = okData(await request<{ producerId: string; paused: boolean }>(bridge, 'media:produce', { transportId: bt.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) }));
    expect(mic.paused).toBe(true);
    bridgeMicId = mic.producerId;
    expectError(await request(bridge, 'media:produce', { transportId: bt.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) }), 'CONFLICT');
  });

  it('rejects malformed and unknown input with typed errors', async () => {
    expectError(await request(bridge, 'transport:connect', { transportId: 'x', dtlsParameters: { fingerprints: [] } }), 'VALIDATION_FAILED');
    expectError(await request(bridge, 'transport:connect', { transportId: 'nope', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] } }), 'NOT_FOUND');
    expectError(await request(bridge, 'media:consume', { transportId: 'nope', producerId: bridgeMicId }), 'NOT_FOUND');
    expectError(await request(bridge, 'transport:create', { direction: 'sideways' }), 'VALIDATION_FAILED');
    expectError(await request(bridge, 'producer:resume', { producerId: bridgeMicId }), 'FORBIDDEN');
  });

  it('the floor granted in the conference opens the bridge mic; revoking closes it', async () => {
    const bp = d.bridgeOf('cau.tinh2');
    const req = okData(await request<{ id: number }>(bridge, 'floor:request', { meetingId: d.meetingId, topic: 'Báo cáo' }));
    const opened = nextEvent<{ source: unknown; muted: boolean; by: string }>(delegate, 'media:muted');
    const resumed = nextEvent<{ producerId: string; paused: boolean }>(observer, 'producer:paused');
    const staged = nextEvent<{ source: unknown; videoProducerId: string | null }>(observer, 'stage:changed');
    okData(await request(chair, 'floor:grant', { meetingId: d.meetingId, requestId: req.id }));
    expect(await opened).toEqual({ source: { type: 'bridge', bridgePointId: bp }, muted: false, by: 'floor' });
    expect(await resumed).toEqual({ producerId: bridgeMicId, paused: false });
    // The speaking bridge goes on the main stage, with its camera.
    expect(await staged).toMatchObject({ source: { type: 'bridge', bridgePointId: bp }, videoProducerId: expect.any(String), pinned: false });

    const closed = nextEvent<{ muted: boolean; by: string }>(delegate, 'media:muted');
    const back = nextEvent<{ source: unknown }>(observer, 'stage:changed');
    okData(await request(chair, 'floor:revoke', { meetingId: d.meetingId }));
    expect(await closed).toMatchObject({ muted: true, by: 'floor' });
    // Revoking hands the stage back to the chair's hall.
    expect((await back).source).toEqual({ type: 'bridge', bridgePointId: d.bridgeOf('cau.tinh1') });
    const producer = t.app.media.started()!.room(d.meetingId)!.producerEntry(bridgeMicId).producer;
    expect(producer.paused).toBe(true);
  });

  it('the chair directs the stage and mutes; others may not', async () => {
    const src = { type: 'bridge', bridgePointId: d.bridgeOf('cau.tinh2') };
    expectError(await request(bridge, 'stage:set', { source: src }), 'FORBIDDEN');
    expectError(await request(bridge, 'media:mute-all', {}), 'FORBIDDEN');
    const changed = nextEvent<{ source: unknown; videoProducerId: string | null }>(observer, 'stage:changed');
    okData(await request(chair, 'stage:set', { source: src }));
    expect((await changed).source).toEqual(src);
    okData(await request(chair, 'media:mute', { source: src, muted: false }));
    await eventually(() => !t.app.media.started()!.room(d.meetingId)!.producerEntry(bridgeMicId).producer.paused, WAIT_MS, 'chair opened the mic');
    expect(okData(await request<{ muted: number }>(chair, 'media:mute-all', {})).muted).toBeGreaterThanOrEqual(1);
    expectError(await request(bridge, 'producer:resume', { producerId: bridgeMicId }), 'FORBIDDEN');
    // Each of the chair's acts is audited, with the chair as actor; the refused ones are not.
    const acts = t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, 'meeting'), eq(auditLog.targetId, String(d.meetingId)), like(auditLog.action, 'media.%')))
      .all();
    expect(acts.map((a) => a.action)).toEqual(['media.stage', 'media.unmute', 'media.mute_all']);
    expect(new Set(acts.map((a) => a.actorUserId))).toEqual(new Set([d.userId('vanphong')]));
    expect(acts[0]!.details).toEqual({ source: src });
    // A fresh join sees the stage and the mic state.
    const late = await member('cau.tinh1');
    expect(late.snapshot.media!.stage.source).toEqual(src);
    expect(late.snapshot.media!.mics).toContainEqual({ source: src, muted: true, by: 'mute-all' });
  });

  it('a bridge that disconnects takes its producers with it', async () => {
    const closed = nextEvent<{ producerId: string }>(chair, 'producer:closed');
    bridge.close();
    expect((await closed).producerId).toBeDefined();
  });

  it('tells clients to rejoin when the worker under their room dies', async () => {
    const service = t.app.media.started()!;
    const pid = service.room(d.meetingId)!.routerLoads()[0]!.workerPid!;
    const reset = nextEvent<{ reason: string }>(observer, 'media:room-reset');
    process.kill(pid, 'SIGKILL');
    expect(await reset).toEqual({ reason: 'worker-died' });
    await eventually(() => service.pool.workers.length === 2, WAIT_MS, 'replacement worker');
    okData(await caps(observer));
    expect(service.room(d.meetingId)!.closed).toBe(false);
  });

  it('closes the room when the meeting ends', async () => {
    okData(await request(chair, 'meeting:end', { meetingId: d.meetingId }));
    await eventually(() => t.app.media.started()!.room(d.meetingId) === null, WAIT_MS, 'room closed');
  });
});
