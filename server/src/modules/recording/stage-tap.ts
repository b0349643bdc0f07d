/**
 * The mediasoup side of a recording: a hidden peer in the meeting's room
 * with one PlainTransport per recorded slot (one video, a few audio), each
 * sending to an RtpRelay. Every slot keeps its transport for the whole
 * recording and is re-pointed by replacing its consumer, so a stage switch
 * costs one consume call and a keyframe, well under a second.
 *
 * What goes into the slots is read from the meeting's media snapshot a few
 * times a second: the stage's video, and the live (unpaused) microphones —
 * the stage source's first, then the chair's hall and whoever has the
 * floor — up to the number of audio slots.
 */
import type { MediaSnapshot } from '@diemcau/shared';
import { sourceKey } from '@diemcau/shared';
import type { MediaLogger } from '../media/logger.ts';
import type { ms } from '../media/mediasoup.ts';
import type { Peer } from '../media/peer.ts';
import type { Room } from '../media/room.ts';
import { RtpRelay } from './rtp-relay.ts';
import { AUDIO_PT, VIDEO_PT, type RecorderPorts } from './recorder.ts';

interface Slot {
  kind: 'audio' | 'video';
  relay: RtpRelay;
  transport: ms.PlainTransport;
  consumer: ms.Consumer | null;
  producerId: string | null;
}

/** Audio producers to record, best first: the stage source's mic, then the other live mics. */
export function wantedAudio(snap: MediaSnapshot): string[] {
  const stageKey = snap.stage.source ? sourceKey(snap.stage.source) : null;
  const live = snap.producers.filter((p) => p.kind === 'audio' && !p.paused);
  return [...live.filter((p) => sourceKey(p.source) === stageKey), ...live.filter((p) => sourceKey(p.source) !== stageKey)].map((p) => p.producerId);
}

/**
 * Keeps producers already in a slot where they are (no needless switch) and
 * puts the most wanted of the others into free slots, or into slots whose
 * producer is no longer wanted. Returns the producer per slot.
 */
export function assignAudio(current: (string | null)[], wanted: string[]): (string | null)[] {
  const want = new Set(wanted.slice(0, current.length));
  const next = current.map((id) => (id !== null && want.has(id) ? id : null));
  const placed = new Set(next);
  for (const id of wanted) {
    if (placed.has(id)) continue;
    const free = next.indexOf(null);
    if (free < 0) break;
    next[free] = id;
    placed.add(id);
  }
  // A slot nobody else needs keeps its (paused) producer: when that mic opens again it is heard at once.
  return next.map((id, i) => {
    const old = current[i] ?? null;
    return id ?? (old !== null && !placed.has(old) ? old : null);
  });
}

export interface StageTapOptions {
  room: Room;
  peerId: string;
  userId: number;
  ports: RecorderPorts;
  snapshot: () => MediaSnapshot;
  log: MediaLogger;
  /** How often the snapshot is read. */
  pollMs?: number;
}

export class StageTap {
  readonly #o: StageTapOptions;
  readonly #peer: Peer;
  readonly #slots: Slot[] = [];
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #closed = false;
  /** Producers the recorder cannot take (e.g. H.264): not retried on every poll. */
  readonly #refused = new Set<string>();
  /** Called when the room (or the recorder's peer in it) goes away. */
  onLost: (() => void) | null = null;

  private constructor(o: StageTapOptions, peer: Peer) {
    this.#o = o;
    this.#peer = peer;
    peer.once('close', () => {
      if (!this.#closed) this.onLost?.();
    });
  }

  static async create(o: StageTapOptions): Promise<StageTap> {
    const { room } = o;
    const peer = room.addPeer(o.peerId, { userId: o.userId, role: 'secretariat', bridgePointId: null, label: 'recorder', chair: true });
    // The recorder takes VP8 and Opus only, without RTX: what the WebM file can carry as it arrives.
    peer.rtpCapabilities = {
      codecs: (room.rtpCapabilities.codecs ?? []).filter((c) => ['audio/opus', 'video/vp8'].includes(c.mimeType.toLowerCase())),
      headerExtensions: [],
    };
    const tap = new StageTap(o, peer);
    try {
      await tap.#addSlot('video', VIDEO_PT, 90000, o.ports.video);
      for (const port of o.ports.audio) await tap.#addSlot('audio', AUDIO_PT, 48000, port);
    } catch (err) {
      tap.close();
      throw err;
    }
    return tap;
  }

  async #addSlot(kind: 'audio' | 'video', payloadType: number, clockRate: number, port: number): Promise<void> {
    const relay = await RtpRelay.create({ kind, payloadType, clockRate, target: { host: '127.0.0.1', port } });
    try {
      const transport = await this.#o.room.createPlainTransport(this.#peer, 'recv', { comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: relay.port });
      this.#slots.push({ kind, relay, transport, consumer: null, producerId: null });
    } catch (err) {
      relay.close();
      throw err;
    }
  }

  /** Starts following the stage. */
  start(): Promise<void> {
    this.#timer = setInterval(() => void this.sync(), this.#o.pollMs ?? 200);
    return this.sync();
  }

  /** Points the slots at what should be recorded now. */
  async sync(): Promise<void> {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      const snap = this.#o.snapshot();
      const [video, ...audio] = this.#slots;
      if (video) await this.#point(video, snap.stage.videoProducerId);
      const next = assignAudio(audio.map((s) => s.producerId), wantedAudio(snap));
      for (let i = 0; i < audio.length; i++) await this.#point(audio[i]!, next[i] ?? null);
    } finally {
      this.#busy = false;
    }
  }

  /** Asks the stage video for a keyframe (segment boundaries need one). */
  requestKeyFrame(): void {
    const c = this.#slots[0]?.consumer;
    if (c && !c.closed) c.requestKeyFrame().catch(() => {});
  }

  /** Packets received and forwarded per slot, for tests and the benchmark. */
  counters(): { kind: string; producerId: string | null; in: number; out: number }[] {
    return this.#slots.map((s) => ({ kind: s.kind, producerId: s.producerId, in: s.relay.packetsIn, out: s.relay.packetsOut }));
  }

  async #point(slot: Slot, wanted: string | null): Promise<void> {
    const producerId = wanted !== null && this.#refused.has(wanted) ? null : wanted;
    if (slot.consumer?.closed) slot.consumer = null;
    if (slot.producerId === producerId && (slot.consumer || producerId === null)) return;
    slot.consumer?.close();
    slot.consumer = null;
    slot.producerId = producerId;
    slot.relay.repoint();
    slot.relay.setIdle(true);
    if (producerId === null) return;
    try {
      const entry = await this.#o.room.consume(this.#peer, { transportId: slot.transport.id, producerId, paused: false });
      if (this.#closed || slot.producerId !== producerId) {
        entry.consumer.close();
        return;
      }
      const c = entry.consumer;
      slot.consumer = c;
      // A paused mic is an idle slot (silence); a keyframe now, and again whenever the producer resumes.
      slot.relay.setIdle(c.producerPaused);
      c.on('producerpause', () => slot.consumer === c && slot.relay.setIdle(true));
      c.on('producerresume', () => {
        if (slot.consumer !== c) return;
        slot.relay.setIdle(false);
        if (slot.kind === 'video') void c.requestKeyFrame().catch(() => {});
      });
      if (slot.kind === 'video') await c.requestKeyFrame();
    } catch (err) {
      this.#refused.add(producerId);
      // E.g. an H.264 camera, which the WebM recording cannot carry: the slot stays empty and says so.
      this.#o.log.warn({ err, producerId, kind: slot.kind }, 'recorder could not consume a stage producer');
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const s of this.#slots) s.relay.close();
    this.#o.room.removePeer(this.#o.peerId);
  }
}
