/**
 * Recording against the real server, mediasoup and Debian ffmpeg, with two
 * bridge points sending real VP8/Opus (ffmpeg test sources):
 * - a confidential meeting is refused until the secretariat allows it;
 * - about 10 s with a stage switch gives one video and one audio stream of the
 *   right length, audible, its SHA-256 in the audit chain, agenda chapters;
 * - playback per role: stream grants logged, no download of a confidential one;
 * - a nearly full disk refuses a start and stops a running recording cleanly;
 * - retention deletes the file and audits it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, nextEvent, type TestApp } from '../../helpers/app.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { sha256File } from '../../../server/src/modules/recording/finalize.ts';
import { cmd, okData, type Demo, type Member } from '../conference/helpers.ts';
import { ffmpegBridge, ffprobe, liveMeeting, meanVolume, until, type FfmpegBridge } from './support.ts';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import { WAIT_MS } from '../../../scripts/lib/until.ts';

let t: TestApp;
let d: Demo;
let chair: Member;
let media: MediaService;
let chairPeer: string;
let a: FfmpegBridge;
let b: FfmpegBridge;
let token: string;
/** The recording service's clock: real time, moved forward by `shift` for the retention test. */
let shift = 0;
const clock = () => Date.now() + shift;
let freeBytes = 100 * 1024 ** 3;

const api = (method: 'GET' | 'POST' | 'PUT', url: string, tok = token, payload?: Record<string, unknown>) =>
  payload === undefined ? t.app.inject({ method, url, headers: bearer(tok) }) : t.app.inject({ method, url, headers: bearer(tok), payload });
const audits = (action: string) =>
  t.app.db.$client.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id').all(action) as { details: string; actor_user_id: number | null }[];

beforeAll(async () => {
  t = await buildTestApp({
    config: {
      mediasoup: { ...loadConfig().mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1, rtcMinPort: 45000, rtcMaxPort: 45999 },
      recording: { ...loadConfig().recording, segmentSeconds: 2, retentionDays: 30, minFreeMb: 100, stopFreeMb: 50 },
    },
    deps: { recording: { now: clock, freeBytes: async () => freeBytes, diskCheckMs: 300 } },
  });
  await t.listen();
  ({ d, chair, media, chairPeer } = await liveMeeting(t));
  token = await login(t.app, 'vanphong');
  a = await ffmpegBridge(media, d.meetingId, d.bridgeOf('cau.tinh1'), 440);
  b = await ffmpegBridge(media, d.meetingId, d.bridgeOf('cau.tinh2'), 660);
  media.setStage(d.meetingId, chairPeer, { type: 'bridge', bridgePointId: a.bridgePointId });
}, 120_000);

afterAll(async () => {
  a?.close();
  b?.close();
  chair?.socket.close();
  await t?.close();
});

describe('recording the main stage', () => {
  let recordingId: number;

  it('refuses a confidential meeting until the secretariat allows it', async () => {
    okData({ ok: true, data: (await api('PUT', `/api/meetings/${d.meetingId}/recording/policy`, token, { classification: 'confidential', allowConfidential: false })).json() });
    const refused = await api('POST', `/api/meetings/${d.meetingId}/recording/start`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('CONFIDENTIAL');
    expect(audits('recording.refused')).toHaveLength(1);
    // A delegate cannot grant that permission.
    const delegate = await login(t.app, 'daibieu01');
    expect((await api('PUT', `/api/meetings/${d.meetingId}/recording/policy`, delegate, { classification: 'confidential', allowConfidential: true })).statusCode).toBe(403);
    expect((await api('PUT', `/api/meetings/${d.meetingId}/recording/policy`, token, { classification: 'confidential', allowConfidential: true })).statusCode).toBe(200);
  });

  it('refuses to start when the disk cannot take it', async () => {
    freeBytes = 10 * 1024 * 1024;
    const res = await api('POST', `/api/meetings/${d.meetingId}/recording/start`);
    expect(res.statusCode).toBe(507);
    expect(res.json().error.code).toBe('STORAGE_FULL');
    freeBytes = 100 * 1024 ** 3;
  });

  it('records ~10 s across a stage switch: one video, one audio, right length, audible, hashed in the audit chain', async () => {
    const announced = nextEvent<{ active: boolean }>(chair.socket, 'recording:changed', 40_000);
    const started = await api('POST', `/api/meetings/${d.meetingId}/recording/start`);
    expect(started.statusCode, started.body).toBe(200);
    // Media time 0, as the server reports it (its clock is the real one here).
    const t0 = started.json().startedAt as number;
    expect((await announced).active).toBe(true);
    recordingId = started.json().recordingId;
    expect(audits('recording.start')).toHaveLength(1);

    await until(() => Date.now() - t0, (ms) => ms >= 5000, '5 s of recording');
    media.setStage(d.meetingId, chairPeer, { type: 'bridge', bridgePointId: b.bridgePointId });
    const items = (await api('GET', `/api/meetings/${d.meetingId}/agenda`)).json() as { id: number }[];
    okData(await cmd(chair, 'agenda:set-current', d.meetingId, { itemId: items[1]!.id }));
    // The video slot follows the stage to bridge B.
    await until(() => t.app.recording.counters(d.meetingId)[0]?.producerId, (id) => id === b.videoProducerId, 'video slot on bridge B', WAIT_MS);
    await until(() => Date.now() - t0, (ms) => ms >= 10_000, '10 s of recording');

    const elapsed = (Date.now() - t0) / 1000;
    const stopped = await api('POST', `/api/meetings/${d.meetingId}/recording/stop`);
    expect(stopped.statusCode, stopped.body).toBe(200);
    const rec = stopped.json();
    expect(rec.status).toBe('ready');
    expect(rec.classification).toBe('confidential');
    const row = t.app.db.$client.prepare('SELECT dir FROM recordings WHERE id = ?').get(recordingId) as { dir: string };
    const file = join(t.dataDir, 'recordings', row.dir, 'recording.webm');
    const p = await ffprobe(file);
    expect(p.streams).toEqual(['audio', 'video']);
    expect(Math.abs(p.durationS - elapsed)).toBeLessThan(1);
    expect(await meanVolume(file)).toBeGreaterThan(-50);
    // The file's hash is what the audit chain recorded.
    expect(rec.sha256).toBe(await sha256File(file));
    const stopAudit = audits('recording.stop');
    expect(JSON.parse(stopAudit[0]!.details).sha256).toBe(rec.sha256);
    expect((await api('GET', '/api/audit/verify', await login(t.app, 'admin'))).json()).toMatchObject({ ok: true });
    // Chapters: the agenda item current at the start, then the one opened at the switch, about 5 s in.
    expect(rec.chapters).toHaveLength(2);
    expect(rec.chapters[1].itemId).toBe(items[1]!.id);
    expect(rec.chapters[1].offsetMs).toBeGreaterThan(4000);
  }, 90_000);

  it('serves a confidential recording only as a logged stream to signed-in participants', async () => {
    const delegate = await login(t.app, 'daibieu01');
    const grant = await api('POST', `/api/recordings/${recordingId}/grant`, delegate);
    expect(grant.statusCode).toBe(200);
    const g = grant.json();
    expect(g.download).toBeNull();
    const part = await api('GET', g.url, delegate);
    expect(part.statusCode).toBe(200);
    expect(part.headers['content-disposition']).toMatch(/^inline/);
    expect(part.headers['cache-control']).toContain('no-store');
    const ranged = await t.app.inject({ method: 'GET', url: g.url, headers: { ...bearer(delegate), range: 'bytes=0-99' } });
    expect(ranged.statusCode).toBe(206);
    // Nobody may fetch it as a download, not even the secretariat; someone else's link is refused.
    const secGrant = (await api('POST', `/api/recordings/${recordingId}/grant`)).json();
    expect(secGrant.download).toBeNull();
    const forged = g.url.replace('/stream', '/download');
    expect((await api('GET', forged, delegate)).statusCode).toBe(403);
    expect((await api('GET', g.url, token)).statusCode).toBe(403);
    // Observers and QR-less outsiders see nothing.
    const observer = await login(t.app, 'quansat');
    expect((await api('POST', `/api/recordings/${recordingId}/grant`, observer)).statusCode).toBe(404);
    const list = (await api('GET', `/api/meetings/${d.meetingId}/recording`, observer)).json();
    expect(list.recordings[0].access).toBe('none');
    const views = t.app.db.$client.prepare('SELECT user_id FROM recording_views WHERE recording_id = ?').all(recordingId);
    expect(views).toHaveLength(2);
    expect(audits('recording.view')).toHaveLength(2);
  });

  it('stops cleanly when the disk runs low, keeping what was recorded', async () => {
    okData({ ok: true, data: (await api('PUT', `/api/meetings/${d.meetingId}/recording/policy`, token, { classification: 'restricted', allowConfidential: false })).json() });
    const started = await api('POST', `/api/meetings/${d.meetingId}/recording/start`);
    expect(started.statusCode, started.body).toBe(200);
    const id = started.json().recordingId;
    await new Promise((r) => setTimeout(r, 4500));
    const off = nextEvent<{ active: boolean }>(chair.socket, 'recording:changed', 20_000);
    freeBytes = 20 * 1024 * 1024;
    expect((await off).active).toBe(false);
    const row = await until(
      () => t.app.db.$client.prepare('SELECT status, stop_reason, dir, sha256 FROM recordings WHERE id = ?').get(id) as { status: string; stop_reason: string; dir: string; sha256: string },
      (r) => r.status !== 'recording' && r.status !== 'finalizing',
      'recording finalised',
    );
    freeBytes = 100 * 1024 ** 3;
    expect(row).toMatchObject({ status: 'ready', stop_reason: 'disk_low' });
    expect((await ffprobe(join(t.dataDir, 'recordings', row.dir, 'recording.webm'))).streams).toEqual(['audio', 'video']);
  }, 60_000);

  it('deletes recordings after the retention period, audited', async () => {
    const rows = () => t.app.db.$client.prepare("SELECT id, dir, status FROM recordings WHERE status = 'ready'").all() as { id: number; dir: string }[];
    const before = rows();
    expect(before.length).toBe(2);
    shift += 29 * 24 * 3600 * 1000;
    expect(await t.app.recording.sweepRetention()).toBe(0);
    shift += 2 * 24 * 3600 * 1000;
    expect(await t.app.recording.sweepRetention()).toBe(2);
    for (const r of before) expect(existsSync(join(t.dataDir, 'recordings', r.dir))).toBe(false);
    expect(audits('recording.deleted')).toHaveLength(2);
    expect((await api('POST', `/api/recordings/${before[0]!.id}/grant`)).statusCode).toBe(404);
  });
});

