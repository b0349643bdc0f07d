/**
 * The mic policy state of one meeting: one MicState per source (bridge point
 * or person), kept across media-room rebuilds so a chair's mute survives a
 * worker restart or a bridge reconnecting.
 */
import { sourceKey, type MicInfo, type SourceRef } from '@diemcau/shared';
import { applyMic, initialMic, micLive, type MicEvent, type MicState } from './mic-policy.ts';
import { micGated, sameSource, setProducerLive } from './media.policy.ts';
import { mediaCall } from './media-errors.ts';
import type { Room } from './room.ts';

export interface MicEntry {
  source: SourceRef;
  state: MicState;
  by: MicInfo['by'];
}

export class MicGates {
  readonly #entries = new Map<string, MicEntry>();
  /**
   * The enforce run in flight per source. mediasoup sets producer.paused only
   * after the worker answers, so two overlapping runs (a grant and a revoke)
   * would both read the old flag and the later one would skip its change; one
   * run at a time per source, each reading the policy when it starts, ends in
   * the state of the last decision.
   */
  readonly #enforcing = new Map<string, Promise<unknown>>();

  /** The source's entry, created closed on first use. */
  entry(source: SourceRef): MicEntry {
    const key = sourceKey(source);
    let e = this.#entries.get(key);
    if (!e) {
      e = { source, state: initialMic(), by: 'join' };
      this.#entries.set(key, e);
    }
    return e;
  }

  entries(): MicEntry[] {
    return [...this.#entries.values()];
  }

  /** Applies a mic event; false when the policy refuses it (a self-unmute against the chair). */
  apply(source: SourceRef, ev: MicEvent, by: MicInfo['by']): boolean {
    const e = this.entry(source);
    const r = applyMic(e.state, ev);
    if (!r.ok) return false;
    e.state = r.state;
    e.by = by;
    return true;
  }

  info(source: SourceRef): MicInfo {
    const e = this.entry(source);
    return { source: e.source, muted: !micLive(e.state), by: e.by };
  }

  /** Pauses or resumes the source's gated mic producers in `room` to match the policy. */
  async enforce(room: Room | null, source: SourceRef): Promise<MicInfo> {
    const key = sourceKey(source);
    const run = (this.#enforcing.get(key) ?? Promise.resolve())
      .catch(() => {})
      .then(async () => {
        const live = micLive(this.entry(source).state);
        for (const { producer, peer } of room?.producerEntries() ?? []) {
          // A piped-in mic is gated on its own node, which forwards the pause: a second gate here would fight it.
          if (producer.kind !== 'audio' || peer.remote || !sameSource(peer.source, source) || !micGated(peer.info)) continue;
          await mediaCall('mic', () => setProducerLive(producer, live));
        }
      });
    this.#enforcing.set(key, run);
    void run.finally(() => {
      if (this.#enforcing.get(key) === run) this.#enforcing.delete(key);
    }).catch(() => {});
    await run;
    return this.info(source);
  }
}
