/**
 * Samples every peer's link quality on a timer, runs the link-state machine
 * and applies the result: layer caps and audio-only pausing on the peer's
 * consumers, and a `link:changed` to the chair (and the peer itself).
 */
import type { LinkInfo } from '@diemcau/shared';
import { initialLink, LINK_THRESHOLDS, nextLink, type LinkStatus, type LinkThresholds } from './link-state.ts';
import type { MediaLogger } from './logger.ts';
import { applyConsumer, applyUplink, linkSample, linkStats } from './media.policy.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

export interface LinkEntry {
  status: LinkStatus;
  info: LinkInfo;
}

/** The peer's link entry, created in the good state on first use. */
export function linkOf(links: Map<string, LinkEntry>, peer: Peer): LinkEntry {
  let l = links.get(peer.id);
  if (!l) {
    const status = initialLink();
    l = { status, info: { source: peer.source, state: status.state, score: status.score, maxSpatialLayer: status.maxSpatialLayer, bitrateKbps: null, loss: null } };
    links.set(peer.id, l);
  }
  return l;
}

export interface LinkMonitorOptions {
  intervalMs: number;
  thresholds?: LinkThresholds;
  log: MediaLogger;
  /** The live rooms and their link tables. */
  rooms: () => Iterable<{ meetingId: number; room: Room; links: Map<string, LinkEntry> }>;
  notify: (peerId: string, info: LinkInfo) => void;
}

export class LinkMonitor {
  readonly #opts: LinkMonitorOptions;
  readonly #timer: NodeJS.Timeout;
  #running = false;

  constructor(opts: LinkMonitorOptions) {
    this.#opts = opts;
    this.#timer = setInterval(() => void this.#tick(), opts.intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    // A slow round (hundreds of peers) must not overlap the next one.
    if (this.#running) return;
    this.#running = true;
    try {
      for (const r of this.#opts.rooms()) await this.#sampleRoom(r.meetingId, r.room, r.links);
    } catch (err) {
      this.#opts.log.error({ err }, 'link sampling failed');
    } finally {
      this.#running = false;
    }
  }

  async #sampleRoom(meetingId: number, room: Room, links: Map<string, LinkEntry>): Promise<void> {
    const t = this.#opts.thresholds ?? LINK_THRESHOLDS;
    for (const peer of room.peers()) {
      const sample = linkSample(peer);
      if (!sample) continue;
      const stats = await linkStats(peer);
      if (peer.closed || room.closed) continue;
      const l = linkOf(links, peer);
      const prev = l.status;
      const next = nextLink(prev, { ...sample, ...(stats.loss !== null ? { loss: stats.loss } : {}) }, t);
      l.status = next;
      l.info = { source: peer.source, state: next.state, score: next.score, maxSpatialLayer: next.maxSpatialLayer, ...stats };
      if (next.state === prev.state && next.maxSpatialLayer === prev.maxSpatialLayer) continue;
      this.#opts.log.info({ meetingId, peerId: peer.id, from: prev.state, to: next.state, layer: next.maxSpatialLayer }, 'link state changed');
      for (const entry of peer.consumers()) await applyConsumer(entry, next, this.#opts.log);
      await applyUplink(peer, next, this.#opts.log);
      for (const chair of room.peers()) if (chair.info.chair) this.#opts.notify(chair.id, l.info);
      // The bridge's own screen can then say why its picture stepped down.
      if (!peer.info.chair) this.#opts.notify(peer.id, l.info);
    }
  }
}
