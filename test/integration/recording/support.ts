/**
 * Helpers for recording tests: a live meeting, and bridge points whose camera
 * and microphone are real VP8 and Opus made by ffmpeg (test pattern and a
 * sine tone) sent as RTP into mediasoup PlainTransport producers, so the
 * recorder gets media it can decode, as from a browser.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import type { PeerInfo } from '../../../server/src/modules/media/peer.ts';
import type { TestApp } from '../../helpers/app.ts';
import { cmd, demo, join, okData, type Demo, type Member } from '../conference/helpers.ts';

const run = promisify(execFile);
let nextSsrc = 70_000;

export interface FfmpegBridge {
  bridgePointId: number;
  videoProducerId: string;
  audioProducerId: string;
  proc: ChildProcess;
  close(): void;
}

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

/** A bridge point in the room sending ffmpeg's test pattern (keyframe every second) and a `freq` Hz tone. */
export async function ffmpegBridge(media: MediaService, meetingId: number, bridgePointId: number, freq: number, seconds = 60): Promise<FfmpegBridge> {
  const peerId = `bridge-${bridgePointId}`;
  await media.getCapabilities(meetingId, peerId, { userId: 500 + bridgePointId, role: 'bridge_operator', bridgePointId, label: `Điểm cầu ${bridgePointId}`, chair: false });
  const room = media.room(meetingId)!;
  const peer = room.peer(peerId)!;
  const vt = await room.createPlainTransport(peer, 'send', { comedia: true });
  const at = await room.createPlainTransport(peer, 'send', { comedia: true });
  const vssrc = nextSsrc++;
  const assrc = nextSsrc++;
  const video = await room.produce(peer, {
    transportId: vt.id,
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }], encodings: [{ ssrc: vssrc }] },
  });
  const audio = await room.produce(peer, {
    transportId: at.id,
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: assrc }] },
  });
  // ffmpeg sends RTCP from a second socket; mediasoup's comedia would latch onto whichever came first,
  // so the Sender Reports go to the discard port and only RTP reaches the transport.
  const url = (port: number) => `rtp://127.0.0.1:${port}?rtcpport=9&pkt_size=1200`;
  const proc = spawn(
    '/usr/bin/ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=15:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=${freq}:sample_rate=48000:duration=${seconds}`,
      '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15', '-keyint_min', '15',
      '-payload_type', '96', '-ssrc', String(vssrc), '-f', 'rtp', url(vt.tuple.localPort),
      '-map', '1:a', '-c:a', 'libopus', '-b:a', '48k', '-payload_type', '111', '-ssrc', String(assrc), '-f', 'rtp', url(at.tuple.localPort),
    ],
    { stdio: 'ignore' },
  );
  return {
    bridgePointId,
    videoProducerId: video.id,
    audioProducerId: audio.id,
    proc,
    close: () => void (proc.exitCode === null && proc.kill('SIGKILL')),
  };
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

/** Polls `read` until `ok`, up to `timeoutMs`. */
export async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
