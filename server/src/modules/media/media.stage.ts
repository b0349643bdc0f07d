/**
 * The main stage and the active speaker: the chair picks the source everyone
 * watches large, and the room's audio-level observer says who is talking.
 */
import type { SourceRef, StageInfo } from '@diemcau/shared';
import { forbidden } from '../../lib/app-error.ts';
import { sameSource } from './media.policy.ts';
import { stageInfo } from './media.views.ts';
import type { MeetingMedia, PeerContext } from './meeting-media.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

/** Chair: puts a source on the main stage (null clears it) and tells the meeting. */
export function setStage({ mm, peer }: PeerContext, source: SourceRef | null): StageInfo {
  if (!peer.info.chair) throw forbidden('Only the chair directs the main stage');
  mm.stage = source;
  const info = stageInfo(mm.room, mm.stage);
  mm.notify('stage:changed', info);
  return info;
}

/** Keeps the meeting's stage producers and active speaker current as the room's streams come and go. */
export function followStage(mm: MeetingMedia, room: Room): void {
  // The stage names a source, not a stream: when that source starts or stops one, clients need the new producer ids.
  const restage = (peer: Peer) => {
    if (mm.stage && sameSource(mm.stage, peer.source)) mm.notify('stage:changed', stageInfo(mm.room, mm.stage));
  };
  room.on('newproducer', ({ peer }) => restage(peer));
  room.on('producerclosed', ({ peer }) => restage(peer));
  room.on('activespeaker', ({ peer, producerId, volume }) => {
    const prev = mm.speaker;
    mm.speaker = { source: peer?.source ?? null, producerId, volume };
    // Volume changes every interval; only a change of speaker is news.
    if (prev.producerId !== producerId) mm.notify('speaker:active', mm.speaker);
  });
}
