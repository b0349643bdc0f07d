// The stage follows the floor (media.stage.ts / media.floor.ts), tested on the meeting's media state without a room.
import { describe, expect, it } from 'vitest';
import type { SourceRef } from '@diemcau/shared';
import { MeetingMedia } from '../../../server/src/modules/media/meeting-media.ts';
import type { MediaNotifier } from '../../../server/src/modules/media/media.notifier.ts';
import { muteAll, onFloorChanged, syncFloor } from '../../../server/src/modules/media/media.floor.ts';
import { pinStage, setStage } from '../../../server/src/modules/media/media.stage.ts';
import type { PeerContext } from '../../../server/src/modules/media/meeting-media.ts';
import type { Peer } from '../../../server/src/modules/media/peer.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';

const HALL: SourceRef = { type: 'bridge', bridgePointId: 1 };
const COMMUNE: SourceRef = { type: 'bridge', bridgePointId: 120 };
const OTHER: SourceRef = { type: 'bridge', bridgePointId: 7 };

function meeting(hall: SourceRef | null = HALL) {
  const staged: (SourceRef | null)[] = [];
  const notifier: MediaNotifier = {
    toMeeting: (_m, event, payload) => {
      if (event === 'stage:changed') staged.push((payload as { source: SourceRef | null }).source);
    },
    toPeer: () => {},
  };
  const mm = new MeetingMedia(1, notifier, hall);
  // The chair's commands need a peer context; with no room, nothing is paused or resumed.
  const chair = { mm, room: { peers: () => [] } as unknown as Room, peer: { info: { chair: true } } as Peer } satisfies PeerContext;
  const bridge = { ...chair, peer: { info: { chair: false } } as Peer };
  return { mm, staged, chair, bridge };
}
const grant = (mm: MeetingMedia, bridgePointId: number | null, userId = 50) => onFloorChanged(mm, { userId, bridgePointId }, true);
const revoke = (mm: MeetingMedia, bridgePointId: number | null, userId = 50) => onFloorChanged(mm, { userId, bridgePointId }, false);

describe('the stage follows the floor', () => {
  it("starts on the chair's hall with its mic live", () => {
    const { mm } = meeting();
    expect(mm.stage).toEqual(HALL);
    expect(mm.mics.info(HALL)).toMatchObject({ muted: false, by: 'chair' });
    // Every other bridge is closed until given the floor.
    expect(mm.mics.info(COMMUNE).muted).toBe(true);
  });

  it('a grant puts the bridge on stage; the revoke returns the stage to the hall', async () => {
    const { mm, staged } = meeting();
    await grant(mm, 120);
    expect(mm.stage).toEqual(COMMUNE);
    expect(mm.mics.info(COMMUNE).muted).toBe(false);
    await revoke(mm, 120);
    expect(mm.stage).toEqual(HALL);
    expect(staged).toEqual([COMMUNE, HALL]);
    // The hall's mic stayed live throughout.
    expect(mm.mics.info(HALL).muted).toBe(false);
  });

  it('a grant straight to another bridge moves the stage on', async () => {
    const { mm } = meeting();
    await grant(mm, 120);
    await grant(mm, 7, 51);
    expect(mm.stage).toEqual(OTHER);
    // A late revoke of the earlier speaker does not take the stage from the current one.
    await revoke(mm, 120);
    expect(mm.stage).toEqual(OTHER);
  });

  it('a pinned stage stays put through grants and revokes; unpinning hands it to the floor', async () => {
    const { mm, chair, staged } = meeting();
    expect(pinStage(chair, true)).toMatchObject({ source: HALL, pinned: true });
    await grant(mm, 120);
    expect(mm.stage).toEqual(HALL);
    expect(pinStage(chair, false)).toMatchObject({ source: COMMUNE, pinned: false });
    await revoke(mm, 120);
    expect(mm.stage).toEqual(HALL);
    expect(staged).toEqual([HALL, COMMUNE, HALL]);
  });

  it("the chair's own pick is kept when a speaker who was not on stage stops", async () => {
    const { mm, chair } = meeting();
    await grant(mm, 120);
    setStage(chair, OTHER);
    await revoke(mm, 120);
    expect(mm.stage).toEqual(OTHER);
  });

  it('a delegate speaking from a phone (no camera) does not move the stage', async () => {
    const { mm } = meeting();
    await grant(mm, null, 77);
    expect(mm.stage).toEqual(HALL);
    expect(mm.mics.info({ type: 'user', userId: 77 }).muted).toBe(false);
    await revoke(mm, null, 77);
    expect(mm.stage).toEqual(HALL);
  });

  it('media joining after a grant takes the speaker over (sync), once', async () => {
    const { mm, staged } = meeting();
    await syncFloor(mm, { userId: 50, bridgePointId: 120 });
    await syncFloor(mm, { userId: 50, bridgePointId: 120 });
    expect(staged).toEqual([COMMUNE]);
    await syncFloor(mm, null);
    expect(mm.stage).toEqual(HALL);
  });

  it("mute-all silences every bridge but the chair's own hall", async () => {
    const { mm, chair } = meeting();
    await grant(mm, 120);
    expect(await muteAll(chair)).toEqual({ muted: 1 });
    expect(mm.mics.info(COMMUNE)).toMatchObject({ muted: true, by: 'mute-all' });
    expect(mm.mics.info(HALL)).toMatchObject({ muted: false, by: 'chair' });
  });

  it('only the chair pins', () => {
    const { bridge } = meeting();
    expect(() => pinStage(bridge, true)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('without a chair hall the stage starts empty and a revoke clears it', async () => {
    const { mm } = meeting(null);
    expect(mm.stage).toBeNull();
    await grant(mm, 120);
    expect(mm.stage).toEqual(COMMUNE);
    await revoke(mm, 120);
    expect(mm.stage).toBeNull();
  });
});
