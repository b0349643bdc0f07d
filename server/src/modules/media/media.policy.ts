/**
 * Applies the pure media policies (mic-policy.ts, link-state.ts) to live
 * mediasoup objects. Kept apart from the service so the service reads as
 * "who may do what" and this file as "what that means for the streams".
 */
import type { SourceRef } from '@diemcau/shared';
import { sourceKey } from '@diemcau/shared';
import type { ConsumerEntry, Peer, PeerInfo } from './peer.ts';
import { uplinkCap, type LinkSample, type LinkStatus } from './link-state.ts';
import type { MediaLogger } from './logger.ts';
import type { ms } from './mediasoup.ts';

/** Whether this participant's mic obeys the floor/chair gate (everyone but the chair). */
export const micGated = (info: PeerInfo): boolean => !info.chair;

/** May produce camera video: an invited bridge operator or the secretariat. */
export const mayProduceVideo = (info: PeerInfo): boolean =>
  info.role === 'secretariat' || (info.role === 'bridge_operator' && info.bridgePointId !== null);

/**
 * May produce audio at all. Bridge mics start paused until the floor or the
 * chair opens them; a delegate phone may produce audio only while it holds the
 * floor (checked by the caller against the mic state).
 */
export const mayProduceAudio = (info: PeerInfo): boolean =>
  info.chair || info.role === 'secretariat' || (info.role === 'bridge_operator' && info.bridgePointId !== null) || info.role === 'delegate';

export const sameSource = (a: SourceRef, b: SourceRef): boolean => sourceKey(a) === sourceKey(b);

/** Pauses or resumes a producer to match `live`; true when it changed. */
export async function setProducerLive(producer: ms.Producer, live: boolean): Promise<boolean> {
  if (producer.closed || producer.paused === !live) return false;
  if (live) await producer.resume();
  else await producer.pause();
  return true;
}

/**
 * Brings a consumer in line with what the client wants and what the link
 * allows: paused if either pauses it, layer capped by the link.
 */
export async function applyConsumer(entry: ConsumerEntry, link: LinkStatus, log: MediaLogger): Promise<void> {
  const c = entry.consumer;
  if (c.closed) return;
  try {
    entry.policyPaused = c.kind === 'video' && link.state === 'audio-only';
    const shouldPause = entry.clientPaused || entry.policyPaused;
    if (shouldPause && !c.paused) await c.pause();
    else if (!shouldPause && c.paused) await c.resume();
    if (c.type === 'simulcast') {
      const spatialLayer = Math.min(entry.wantedSpatialLayer, link.maxSpatialLayer);
      const cur = c.preferredLayers;
      if (!cur || cur.spatialLayer !== spatialLayer || (entry.wantedTemporalLayer !== undefined && cur.temporalLayer !== entry.wantedTemporalLayer)) {
        await c.setPreferredLayers({ spatialLayer, ...(entry.wantedTemporalLayer !== undefined ? { temporalLayer: entry.wantedTemporalLayer } : {}) });
      }
    }
  } catch (err) {
    // A consumer closing under us is normal (its producer left); anything else is worth a line.
    if (!c.closed) log.warn({ err, consumerId: c.id }, 'could not apply consumer policy');
  }
}

/** Caps what the peer's browser sends to what its link state allows (see UPLINK_CAP_BPS). */
export async function applyUplink(peer: Peer, link: LinkStatus, log: MediaLogger): Promise<void> {
  for (const { transport, direction } of peer.transports()) {
    if (direction !== 'send' || transport.closed) continue;
    await transport.setMaxIncomingBitrate(uplinkCap(link)).catch((err: unknown) => {
      if (!transport.closed) log.warn({ err, transportId: transport.id }, 'could not cap the uplink');
    });
  }
}

/**
 * One link-quality sample for a peer: the worse of its downlink (scores of
 * the consumers it is actually receiving, from its RTCP reports) and its
 * uplink (best layer score of its producers). Null when there is no data.
 */
export function linkSample(peer: Peer): LinkSample | null {
  const down = peer
    .consumers()
    .filter((e) => !e.consumer.closed && !e.consumer.paused && !e.consumer.producerPaused)
    .map((e) => e.consumer.score.score);
  const up = peer
    .producers()
    .filter((p) => !p.closed && !p.paused && p.score.length > 0)
    .map((p) => Math.max(...p.score.map((s) => s.score)));
  if (!down.length && !up.length) return null;
  const downScore = down.length ? down.reduce((a, b) => a + b, 0) / down.length : 10;
  const upScore = up.length ? Math.min(...up) : 10;
  return { score: Math.min(downScore, upScore) };
}

/**
 * Bitrate of the peer's busiest video consumer (for the chair's display) and
 * the worst loss its receiver reports on any stream it receives. Audio counts
 * too: with video paused (audio-only) the audio's loss is what tells whether
 * the line came back, and without it the state would flap back to video.
 */
export async function linkStats(peer: Peer): Promise<{ bitrateKbps: number | null; loss: number | null }> {
  const active = peer.consumers().filter((e) => !e.consumer.closed && !e.consumer.paused && !e.consumer.producerPaused);
  // Asked concurrently, not one consumer after another: a bridge peer may consume dozens.
  const stats = await Promise.all(
    active.map(async (e) => {
      try {
        return { kind: e.consumer.kind, out: (await e.consumer.getStats()).find((s) => s.type === 'outbound-rtp') };
      } catch {
        // A consumer closing under us is normal.
        return null;
      }
    }),
  );
  let bitrateKbps: number | null = null;
  let loss: number | null = null;
  for (const s of stats) {
    if (!s?.out) continue;
    loss = Math.max(loss ?? 0, s.out.fractionLost / 256);
    if (s.kind === 'video') bitrateKbps = Math.max(bitrateKbps ?? 0, Math.round(s.out.bitrate / 1000));
  }
  return { bitrateKbps, loss };
}
