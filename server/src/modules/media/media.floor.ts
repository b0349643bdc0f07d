/**
 * Who may be heard: applies the conference floor and the chair's mute/open
 * decisions to the meeting's mic gates (mic-policy.ts) and pauses or resumes
 * the gated mic producers to match, telling the meeting each time.
 */
import type { MicInfo, SourceRef } from '@diemcau/shared';
import { forbidden } from '../../lib/app-error.ts';
import { micGated, sameSource } from './media.policy.ts';
import type { MeetingMedia, PeerContext } from './meeting-media.ts';
import { micAllowed, micLive } from './mic-policy.ts';
import type { Peer } from './peer.ts';
import { followFloor } from './media.stage.ts';

/** A floor holder as the conference reports them. */
export interface FloorHolder {
  userId: number;
  bridgePointId: number | null;
}

/** The mic a floor holder speaks into: the bridge mic when they sit at a bridge point, else their phone. */
const floorSource = (h: FloorHolder): SourceRef =>
  h.bridgePointId !== null ? { type: 'bridge', bridgePointId: h.bridgePointId } : { type: 'user', userId: h.userId };

/**
 * Whether a new mic of this peer starts paused: a gated mic does unless the
 * floor or the chair has opened it, and a delegate may not produce one at all
 * without that.
 */
export function micStartsPaused(mm: MeetingMedia, peer: Peer): boolean {
  if (!micGated(peer.info)) return false;
  const mic = mm.mics.entry(peer.source);
  if (peer.info.role === 'delegate' && !micAllowed(mic.state)) throw forbidden('A delegate may speak only when given the floor');
  return !micLive(mic.state);
}

/** The peer mutes or unmutes its own gated mic; unmuting against the chair or without the floor is refused. */
export async function setOwnMic(mm: MeetingMedia, peer: Peer, muted: boolean): Promise<void> {
  if (!mm.mics.apply(peer.source, { type: 'self', muted }, 'self')) {
    throw forbidden('The chair has not given you the floor; you cannot unmute yourself');
  }
  await enforceMic(mm, peer.source);
}

/** Chair: mutes or opens one source's mic. */
export async function mute({ mm, peer }: PeerContext, source: SourceRef, muted: boolean): Promise<MicInfo> {
  if (!peer.info.chair) throw forbidden('Only the chair may mute or unmute others');
  mm.mics.apply(source, { type: 'chair', muted }, 'chair');
  return enforceMic(mm, source);
}

/** Chair: mutes every gated source in the meeting but the chair's own hall. */
export async function muteAll({ mm, peer, room }: PeerContext): Promise<{ muted: number }> {
  if (!peer.info.chair) throw forbidden('Only the chair may mute everyone');
  // Gated peers whose mic has no entry yet get one, so the count and the snapshot include them.
  for (const p of room.peers()) if (micGated(p.info)) mm.mics.entry(p.source);
  let muted = 0;
  for (const entry of mm.mics.entries()) {
    // The chair speaks from their own hall: silencing everyone else must not silence the chair.
    if (mm.chairHall && sameSource(entry.source, mm.chairHall)) continue;
    mm.mics.apply(entry.source, { type: 'mute-all' }, 'mute-all');
    const info = await enforceMic(mm, entry.source);
    if (info.muted) muted++;
  }
  return { muted };
}

/**
 * The conference floor changed: granting opens the holder's mic and brings
 * their bridge on stage, revoking closes it and hands the stage back.
 */
export async function onFloorChanged(mm: MeetingMedia, target: FloorHolder, granted: boolean): Promise<void> {
  const source = floorSource(target);
  mm.mics.apply(source, { type: 'floor', granted }, 'floor');
  // A revoke of someone who no longer holds the floor (a late event) must not move the stage.
  if (granted) followFloor(mm, source);
  else if (mm.floorHolder && sameSource(mm.floorHolder, source)) followFloor(mm, null);
  await enforceMic(mm, source);
}

/**
 * Aligns the mic gates with the conference's current floor holder (or none).
 * Only sources whose floor flag differs are touched, so a chair's mute is not
 * undone by a re-sync.
 */
export async function syncFloor(mm: MeetingMedia, holder: FloorHolder | null): Promise<void> {
  const holderSource = holder ? floorSource(holder) : null;
  for (const e of mm.mics.entries()) {
    if (e.state.floor && !(holderSource && sameSource(e.source, holderSource))) {
      mm.mics.apply(e.source, { type: 'floor', granted: false }, 'floor');
      await enforceMic(mm, e.source);
    }
  }
  followFloor(mm, holderSource);
  if (holderSource && !mm.mics.entry(holderSource).state.floor) {
    mm.mics.apply(holderSource, { type: 'floor', granted: true }, 'floor');
    await enforceMic(mm, holderSource);
  }
}

/** Makes the source's mic producers match the policy and tells the meeting. */
export async function enforceMic(mm: MeetingMedia, source: SourceRef): Promise<MicInfo> {
  const info = await mm.mics.enforce(mm.room, source);
  mm.notify('media:muted', info);
  return info;
}
