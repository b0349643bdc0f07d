/**
 * Which streams a screen receives, as a pure function of the meeting's media
 * state, plus the reducer that keeps that state current from broadcasts.
 *
 * - everyone: the main-stage video at the best layer the link allows, and
 *   every open mic (the server keeps closed mics paused, so this stays small);
 * - the chair's console additionally: a page of bridge cameras at the lowest
 *   simulcast layer (hundreds of bridges are paged, not all decoded at once).
 */
import type { Broadcasts, MediaSnapshot, ProducerInfo, SourceRef } from '@diemcau/shared';
import type { Static } from 'typebox';

export interface FollowOptions {
  /** Chair console: also receive the bridge grid. */
  grid?: boolean;
  gridPage?: number;
  gridPageSize?: number;
  /**
   * Listen-only feed: only the open microphones (Opus, a few tens of kbps each), no video, so a
   * bridge point on a 300 kbps commune link still hears everything.
   */
  audioOnly?: boolean;
}

export const GRID_PAGE_SIZE = 25;
export const LOWEST_LAYER = 0;

const sameSource = (a: SourceRef, b: SourceRef) =>
  a.type === b.type && (a.type === 'bridge' ? a.bridgePointId === (b as typeof a).bridgePointId : a.userId === (b as Extract<SourceRef, { type: 'user' }>).userId);

/** Bridge cameras in grid order (by bridge point id), for paging. */
export function gridProducers(producers: readonly ProducerInfo[]): ProducerInfo[] {
  return producers
    .filter((p) => p.kind === 'video' && p.source.type === 'bridge')
    .sort((a, b) => (a.source as { bridgePointId: number }).bridgePointId - (b.source as { bridgePointId: number }).bridgePointId);
}

/** producer id → wanted spatial layer (undefined: the highest the link allows). */
export function wantedStreams(media: Pick<MediaSnapshot, 'stage' | 'producers'>, opts: FollowOptions = {}): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  if (opts.audioOnly) {
    for (const p of media.producers) if (p.kind === 'audio' && !p.paused) out.set(p.producerId, undefined);
    return out;
  }
  if (opts.grid) {
    const size = opts.gridPageSize ?? GRID_PAGE_SIZE;
    const page = Math.max(0, opts.gridPage ?? 0);
    for (const p of gridProducers(media.producers).slice(page * size, (page + 1) * size)) out.set(p.producerId, LOWEST_LAYER);
  }
  const stage = media.stage.videoProducerId;
  if (stage && media.producers.some((p) => p.producerId === stage)) out.set(stage, undefined);
  for (const p of media.producers) if (p.kind === 'audio' && !p.paused) out.set(p.producerId, undefined);
  return out;
}

type MediaEvent = { [E in keyof Broadcasts]: { event: E; payload: Static<Broadcasts[E]> } }[keyof Broadcasts];

/** Applies one media broadcast to the state; other events leave it unchanged. */
export function applyMediaEvent(s: MediaSnapshot, e: MediaEvent): MediaSnapshot {
  switch (e.event) {
    case 'stage:changed':
      return { ...s, stage: e.payload };
    case 'speaker:active':
      return { ...s, activeSpeaker: e.payload };
    case 'producer:added':
      return { ...s, producers: [...s.producers.filter((p) => p.producerId !== e.payload.producerId), e.payload] };
    case 'producer:closed':
      return { ...s, producers: s.producers.filter((p) => p.producerId !== e.payload.producerId) };
    case 'producer:paused':
      return { ...s, producers: s.producers.map((p) => (p.producerId === e.payload.producerId ? { ...p, paused: e.payload.paused } : p)) };
    case 'media:muted':
      return { ...s, mics: [...s.mics.filter((m) => !sameSource(m.source, e.payload.source)), e.payload] };
    case 'link:changed':
      return { ...s, links: [...s.links.filter((l) => !sameSource(l.source, e.payload.source)), e.payload] };
    case 'media:room-reset':
      // The old room's producers are gone; new ones arrive as producer:added.
      return { ...s, producers: [], activeSpeaker: { source: null, producerId: null, volume: null }, stage: { ...s.stage, videoProducerId: null, audioProducerId: null } };
    default:
      return s;
  }
}

/** Media state before the join snapshot (or when it carries none). */
export const emptyMedia = (): MediaSnapshot => ({
  stage: { source: null, videoProducerId: null, audioProducerId: null },
  activeSpeaker: { source: null, producerId: null, volume: null },
  producers: [],
  mics: [],
  links: [],
});
