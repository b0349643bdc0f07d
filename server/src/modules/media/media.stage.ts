/**
 * The main stage and the active speaker. The stage follows the floor: a
 * bridge given the floor goes on stage for everyone, and when its floor ends
 * the stage returns to the chair's hall. The chair may still put any source on
 * stage by hand, and may pin the stage so the floor stops moving it.
 */
import type { SourceRef, StageInfo } from '@diemcau/shared';
import { forbidden } from '../../lib/app-error.ts';
import { sameSource } from './media.policy.ts';
import { stageInfo } from './media.views.ts';
import type { MeetingMedia, PeerContext } from './meeting-media.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

const info = (mm: MeetingMedia): StageInfo => stageInfo(mm.room, mm.stage, mm.pinned);

/** Moves the stage and tells the meeting (nothing is sent when it already shows `source`). */
function show(mm: MeetingMedia, source: SourceRef | null): void {
  if (source === mm.stage || (source && mm.stage && sameSource(source, mm.stage))) return;
  mm.stage = source;
  mm.notify('stage:changed', info(mm));
}

/** Chair: puts a source on the main stage (null clears it) and tells the meeting. */
export function setStage({ mm, peer }: PeerContext, source: SourceRef | null): StageInfo {
  if (!peer.info.chair) throw forbidden('Only the chair directs the main stage');
  mm.stage = source;
  const out = info(mm);
  mm.notify('stage:changed', out);
  return out;
}

/**
 * Chair: pins the stage where it is, or unpins it. Unpinning hands the stage
 * back to the floor at once: to the bridge holding it, else it stays put.
 */
export function pinStage({ mm, peer }: PeerContext, pinned: boolean): StageInfo {
  if (!peer.info.chair) throw forbidden('Only the chair directs the main stage');
  mm.pinned = pinned;
  if (!pinned && mm.floorHolder?.type === 'bridge') mm.stage = mm.floorHolder;
  const out = info(mm);
  mm.notify('stage:changed', out);
  return out;
}

/**
 * The floor moved to `holder` (null: nobody holds it). A bridge holder goes on
 * stage; a delegate speaking from their phone has no camera, so the stage does
 * not follow them. When the previous holder was on stage by the floor's doing,
 * the stage goes back to the chair's hall. A pinned stage does not move.
 */
export function followFloor(mm: MeetingMedia, holder: SourceRef | null): void {
  const prev = mm.floorHolder;
  if (prev === holder || (prev && holder && sameSource(prev, holder))) return;
  mm.floorHolder = holder;
  if (mm.pinned) return;
  if (holder?.type === 'bridge') show(mm, holder);
  else if (prev && mm.stage && sameSource(prev, mm.stage)) show(mm, mm.chairHall);
}

/** Keeps the meeting's stage producers and active speaker current as the room's streams come and go. */
export function followStage(mm: MeetingMedia, room: Room): void {
  // The stage names a source, not a stream: when that source starts or stops one, clients need the new producer ids.
  const restage = (peer: Peer) => {
    // The stage did not move, only its streams on this node's room: news for this node's sockets.
    if (mm.stage && sameSource(mm.stage, peer.source)) mm.notifyHere('stage:changed', info(mm));
  };
  room.on('newproducer', ({ peer }) => restage(peer));
  room.on('producerclosed', ({ peer }) => restage(peer));
  room.on('activespeaker', ({ peer, producerId, volume }) => {
    const prev = mm.speaker;
    mm.speaker = { source: peer?.source ?? null, producerId, volume };
    // Volume changes every interval; only a change of speaker is news.
    if (prev.producerId !== producerId) mm.notifyHere('speaker:active', mm.speaker);
  });
}
