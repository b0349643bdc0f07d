/**
 * Recording a meeting held in real Chromium (fake camera and mic) against the
 * real server, mediasoup and Debian ffmpeg: two bridge pages publish, the
 * chair opens their mics and puts bridge A on the main stage, records about
 * 10 s and switches the stage to bridge B half-way. The file has one video
 * and one audio stream, lasts as long as the recording ran (within a
 * second), and its audio is not silent.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, login, type TestApp } from '../helpers/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import type { Demo } from '../integration/conference/helpers.ts';
import { ffprobe, meanVolume, until } from '../integration/recording/support.ts';
import { cmd, own, startTestbed, type Testbed } from './helpers/testbed.ts';
import { WAIT_MS } from '../../scripts/lib/until.ts';

let tb: Testbed | undefined;
let t: TestApp;
let d: Demo;

beforeAll(async () => {
  tb = await startTestbed({
    name: 'diemcau-rec-testbed-',
    mediasoup: { numWorkers: 1, rtcMinPort: 47000, rtcMaxPort: 47999 },
    config: { recording: { ...loadConfig().recording, segmentSeconds: 2, minFreeMb: 1, stopFreeMb: 0 } },
    joinTimeoutMs: 60_000,
  });
  ({ t, d } = tb);
}, 180_000);

afterAll(async () => {
  await tb?.close();
});

describe('recording a browser meeting', () => {
  it('records ~10 s with a stage switch: one video and one audio stream, the right length, audible', async () => {
    const { chair, bridgeB, errors } = tb!;
    const bpA = d.bridgeOf('cau.tinh1');
    const bpB = d.bridgeOf('cau.tinh2');
    // The chair opens both bridges' microphones and puts bridge A on the main stage.
    for (const bp of [bpA, bpB]) await cmd(chair, 'media:mute', { source: { type: 'bridge', bridgePointId: bp }, muted: false });
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpA } });
    const headers = bearer(await login(t.app, 'vanphong'));
    const started = await t.app.inject({ method: 'POST', url: `/api/meetings/${d.meetingId}/recording/start`, headers });
    expect(started.statusCode, started.body).toBe(200);
    const t0 = started.json().startedAt as number;

    await until(() => Date.now() - t0, (ms) => ms >= 5000, '5 s recorded');
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpB } });
    const bVideo = (await own(bridgeB)).video;
    await until(() => t.app.recording.counters(d.meetingId)[0], (c) => c?.producerId === bVideo, 'the recorder follows the stage to bridge B', WAIT_MS);
    await until(() => Date.now() - t0, (ms) => ms >= 10_000, '10 s recorded');
    const expected = (Date.now() - t0) / 1000;
    const stopped = await t.app.inject({ method: 'POST', url: `/api/meetings/${d.meetingId}/recording/stop`, headers });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json().status).toBe('ready');

    const row = t.app.db.$client.prepare('SELECT dir FROM recordings WHERE id = ?').get(stopped.json().id) as { dir: string };
    const file = join(t.dataDir, 'recordings', row.dir, 'recording.webm');
    const p = await ffprobe(file);
    expect(p.streams).toEqual(['audio', 'video']);
    expect(Math.abs(p.durationS - expected)).toBeLessThan(1);
    // Chromium's fake microphone beeps: the mix is far from digital silence (-91 dB).
    expect(await meanVolume(file)).toBeGreaterThan(-60);
    expect(errors).toEqual([]);
  }, 120_000);
});
