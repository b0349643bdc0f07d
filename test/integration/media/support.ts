/**
 * Helpers for media integration tests: plain-RTP producers and consumers
 * attached to a Room, backed by the RTP generator in scripts/lib/rtp-*.ts.
 */
import { loadConfig } from '../../../server/src/config.ts';
import type { ms } from '../../../server/src/modules/media/mediasoup.ts';
import type { Peer, PeerInfo } from '../../../server/src/modules/media/peer.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';
import { MediaService, type MediaBroadcast, type MediaNotifier, type MediaPayload } from '../../../server/src/modules/media/media.service.ts';
import type { LinkThresholds } from '../../../server/src/modules/media/link-state.ts';
import type { CostModel } from '../../../server/src/modules/media/placement.ts';
import { opusParameters, plainReceiverCapabilities, vp8SimulcastParameters, type VideoLayerSpec } from '../../../scripts/lib/rtp-mediasoup.ts';
import { RtpPump } from '../../../scripts/lib/rtp-pump.ts';
import { RtpSink } from '../../../scripts/lib/rtp-sink.ts';
import { until, WAIT_MS } from '../../../scripts/lib/until.ts';

export { WAIT_MS };

export const config = loadConfig();
/** Test media stays on loopback. */
export const mediaOpts = { listenIp: '127.0.0.1', announcedIp: null } as const;

let nextSsrc = 10_000;
export const ssrc = () => nextSsrc++;

export const bridgeInfo = (bridgePointId: number, userId = 100 + bridgePointId): PeerInfo => ({
  userId,
  role: 'bridge_operator',
  bridgePointId,
  label: `Điểm cầu ${bridgePointId}`,
  chair: false,
});
export const chairInfo = (userId = 1): PeerInfo => ({ userId, role: 'secretariat', bridgePointId: null, label: 'Chủ trì', chair: true });
export const delegateInfo = (userId: number): PeerInfo => ({ userId, role: 'delegate', bridgePointId: null, label: `Đại biểu ${userId}`, chair: false });

export const LAYERS = (): VideoLayerSpec[] => [
  { ssrc: ssrc(), bitrate: 150_000 },
  { ssrc: ssrc(), bitrate: 500_000 },
  { ssrc: ssrc(), bitrate: 1_200_000 },
];

export interface PlainSender {
  transport: ms.PlainTransport;
  pump: RtpPump;
  video?: ms.Producer;
  audio?: ms.Producer;
  audioSsrc?: number;
  startedAt: number;
  close(): void;
}

/**
 * Waits until every simulcast layer has been sending for over 2 s. mediasoup
 * only picks a higher layer for a new consumer once that layer's stream has
 * been active StreamMinActiveMs (2 s) and, with the steady perfect scores of a
 * plain-RTP test, nothing makes it look again later; a browser's bandwidth
 * estimate keeps re-evaluating, the test's sender does not.
 */
export async function whenMature(s: PlainSender): Promise<void> {
  await sleep(Math.max(0, s.startedAt + 2200 - Date.now()));
}

/**
 * Creates a plain send transport for `peer`, produces what `produce` asks
 * through `doProduce` (the room or the service, so policy applies), and
 * starts sending RTP.
 */
export async function plainSender(
  room: Room,
  peer: Peer,
  opts: { video?: boolean; audio?: boolean; level?: number },
  doProduce: (req: { transportId: string; kind: 'audio' | 'video'; rtpParameters: ms.RtpParameters }) => Promise<ms.Producer> = (req) =>
    room.produce(peer, req),
): Promise<PlainSender> {
  const transport = await room.createPlainTransport(peer, 'send', { comedia: true });
  const layers = LAYERS();
  const audioSsrc = ssrc();
  const streams = [
    ...(opts.video ? layers.map((l, i) => ({ kind: 'video' as const, ssrc: l.ssrc, bitrate: l.bitrate, fps: 30, layer: i })) : []),
    ...(opts.audio ? [{ kind: 'audio' as const, ssrc: audioSsrc, bitrate: 40_000, fps: 50, layer: 0, level: opts.level ?? 20 }] : []),
  ];
  const pump = new RtpPump({ ip: transport.tuple.localIp, port: transport.tuple.localPort }, streams, { keyframeEveryMs: 1000 });
  await pump.bind();
  const s: PlainSender = {
    transport,
    pump,
    audioSsrc,
    startedAt: Date.now(),
    close: () => pump.close(),
  };
  if (opts.video) s.video = await doProduce({ transportId: transport.id, kind: 'video', rtpParameters: vp8SimulcastParameters(layers) });
  if (opts.audio) s.audio = await doProduce({ transportId: transport.id, kind: 'audio', rtpParameters: opusParameters(audioSsrc) });
  pump.start();
  s.startedAt = Date.now();
  return s;
}

export interface PlainReceiver {
  transport: ms.PlainTransport;
  sink: RtpSink;
  close(): void;
}

/** A plain receive transport for `peer`, connected to a local RTP sink. */
export async function plainReceiver(room: Room, peer: Peer): Promise<PlainReceiver> {
  peer.rtpCapabilities ??= plainReceiverCapabilities(room.rtpCapabilities);
  const transport = await room.createPlainTransport(peer, 'recv', { comedia: false });
  const sink = new RtpSink();
  const port = await sink.bind();
  await transport.connect({ ip: '127.0.0.1', port });
  return { transport, sink, close: () => sink.close() };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it is true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS, what = 'condition'): Promise<void> {
  await until(check, Boolean, what, timeoutMs, 50);
}


export interface Sent {
  to: { meetingId: number } | { peerId: string };
  event: MediaBroadcast;
  payload: unknown;
}

/** A notifier that records every broadcast, for assertions. */
export function recorder(): MediaNotifier & { sent: Sent[]; of<E extends MediaBroadcast>(event: E): MediaPayload<E>[] } {
  const sent: Sent[] = [];
  return {
    sent,
    toMeeting: (meetingId, event, payload) => void sent.push({ to: { meetingId }, event, payload }),
    toPeer: (peerId, event, payload) => void sent.push({ to: { peerId }, event, payload }),
    of: <E extends MediaBroadcast>(event: E) => sent.filter((s) => s.event === event).map((s) => s.payload as MediaPayload<E>),
  };
}

export async function newService(
  over: {
    numWorkers?: number;
    consumerBudgetPerRouter?: number;
    linkIntervalMs?: number;
    linkThresholds?: LinkThresholds;
    workerCpuLimit?: number;
    loadSampleMs?: number;
    cost?: CostModel;
  } = {},
  notifier = recorder(),
) {
  const service = await MediaService.create({
    ...config.mediasoup,
    ...mediaOpts,
    numWorkers: over.numWorkers ?? 1,
    consumerBudgetPerRouter: over.consumerBudgetPerRouter ?? 400,
    linkIntervalMs: over.linkIntervalMs ?? 60_000,
    ...(over.linkThresholds ? { linkThresholds: over.linkThresholds } : {}),
    ...(over.workerCpuLimit !== undefined ? { workerCpuLimit: over.workerCpuLimit } : {}),
    ...(over.loadSampleMs !== undefined ? { loadSampleMs: over.loadSampleMs } : {}),
    ...(over.cost ? { cost: over.cost } : {}),
    notifier,
  });
  return { service, notifier };
}

/** Expects a promise (or thunk) to fail with an AppError of `code`. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  let err: unknown = null;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  if (!err) throw new Error(`expected ${code}, but it succeeded`);
  const got = (err as { code?: string }).code;
  if (got !== code) throw new Error(`expected ${code}, got ${got ?? 'no code'}: ${(err as Error).message}`);
}
