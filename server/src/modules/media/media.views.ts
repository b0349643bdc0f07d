/** Media state as the contract shows it (shared/src/events/media.ts). */
import type { MediaSnapshot, ProducerInfo, SourceRef, SpeakerInfo, StageInfo } from '@diemcau/shared';
import { sameSource } from './media.policy.ts';
import type { ms } from './mediasoup.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

export const noSpeaker = (): SpeakerInfo => ({ source: null, producerId: null, volume: null });

export const emptyMediaSnapshot = (): MediaSnapshot => ({
  stage: { source: null, videoProducerId: null, audioProducerId: null, pinned: false },
  activeSpeaker: noSpeaker(),
  producers: [],
  mics: [],
  links: [],
});

export function producerInfo(producer: ms.Producer, peer: Peer): ProducerInfo {
  return { producerId: producer.id, kind: producer.kind, source: peer.source, label: peer.info.label, paused: producer.paused };
}

/** The stage source with its current camera and mic producers (null while it is not publishing). */
export function stageInfo(room: Room | null, stage: SourceRef | null, pinned = false): StageInfo {
  if (!stage || !room) return { source: stage, videoProducerId: null, audioProducerId: null, pinned };
  const find = (kind: ms.MediaKind) =>
    room.producerEntries().find(({ producer, peer }) => producer.kind === kind && sameSource(peer.source, stage))?.producer.id ?? null;
  return { source: stage, videoProducerId: find('video'), audioProducerId: find('audio'), pinned };
}
