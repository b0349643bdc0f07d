/**
 * A bridge point whose camera and microphone are real VP8 and Opus made by
 * ffmpeg (test pattern and a sine tone) sent as RTP into mediasoup
 * PlainTransport producers, so the recorder gets media it can decode, as from
 * a browser. Imports only server code, so the benchmark and a plain Node
 * child process (the kill -9 test's server) can use it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { MediaService } from '../../server/src/modules/media/media.service.ts';

let nextSsrc = 70_000 + (process.pid % 1000) * 10;

export interface FfmpegBridge {
  bridgePointId: number;
  videoProducerId: string;
  audioProducerId: string;
  proc: ChildProcess;
  close(): void;
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

