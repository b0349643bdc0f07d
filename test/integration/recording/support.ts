/**
 * Helpers for recording tests: a live meeting, and bridge points whose camera
 * and microphone are real VP8 and Opus made by ffmpeg (test pattern and a
 * sine tone) sent as RTP into mediasoup PlainTransport producers, so the
 * recorder gets media it can decode, as from a browser.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import type { PeerInfo } from '../../../server/src/modules/media/peer.ts';
import type { TestApp } from '../../helpers/app.ts';
import { until as poll } from '../../../scripts/lib/until.ts';
import { cmd, demo, join, okData, type Demo, type Member } from '../conference/helpers.ts';

const run = promisify(execFile);
export { ffmpegBridge, type FfmpegBridge } from '../../../scripts/lib/ffmpeg-bridge.ts';

/** Signs the chair in, starts the seeded meeting and joins the chair to its media room. */
export async function liveMeeting(t: TestApp): Promise<{ d: Demo; chair: Member; media: MediaService; chairPeer: string }> {
  const d = demo(t);
  const chair = await join(t, 'vanphong', d.meetingId);
  okData(await cmd(chair, 'meeting:start', d.meetingId));
  const media = await t.app.media.service();
  const chairPeer = 'chair-peer';
  const info: PeerInfo = { userId: d.userId('vanphong'), role: 'secretariat', bridgePointId: null, label: 'Chủ trì', chair: true };
  await media.getCapabilities(d.meetingId, chairPeer, info);
  return { d, chair, media, chairPeer };
}

export interface Probe {
  durationS: number;
  streams: string[];
}

export async function ffprobe(path: string): Promise<Probe> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', path]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_type: string }[] };
  return { durationS: Number(j.format.duration), streams: j.streams.map((s) => s.codec_type).sort() };
}

/** Mean volume of the audio in dB (ffmpeg volumedetect); -91 means digital silence. */
export async function meanVolume(path: string): Promise<number> {
  const { stderr } = await run('/usr/bin/ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-vn', '-af', 'volumedetect', '-f', 'null', '-']);
  const m = /mean_volume:\s*(-?[\d.]+) dB/.exec(stderr);
  if (!m) throw new Error(`no volumedetect output: ${stderr.slice(-500)}`);
  return Number(m[1]);
}

/** Polls `read` every 200 ms until `ok`, up to `timeoutMs` (recordings take a while to finalise). */
export const until = <T>(read: () => T | Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> => poll(read, ok, what, timeoutMs, 200);
