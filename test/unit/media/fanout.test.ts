// What a node sends to the other nodes of a meeting (media.fanout.ts), and where the meeting's
// media news goes (meeting-media.ts): judged on the meeting's media state with a stand-in room.
import { describe, expect, it } from 'vitest';
import type { SourceRef } from '@diemcau/shared';
import { producersToSend } from '../../../server/src/modules/media/media.fanout.ts';
import { isDirectoryMessage } from '../../../server/src/modules/media/media.directory.ts';
import { MeetingMedia } from '../../../server/src/modules/media/meeting-media.ts';
import type { MediaNotifier } from '../../../server/src/modules/media/media.notifier.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';

const HALL: SourceRef = { type: 'bridge', bridgePointId: 1 };
const COMMUNE: SourceRef = { type: 'bridge', bridgePointId: 120 };
const OTHER: SourceRef = { type: 'bridge', bridgePointId: 7 };

interface Fake {
  id: string;
  kind: 'audio' | 'video';
  source: SourceRef;
  paused?: boolean;
  remote?: boolean;
}
const room = (producers: Fake[]) =>
  ({
    producerEntries: () => producers.map((p) => ({ producer: { id: p.id, kind: p.kind, paused: p.paused ?? false }, peer: { source: p.source, remote: p.remote ?? false } })),
  }) as unknown as Room;

function notifier() {
  const sent: { where: 'meeting' | 'here'; event: string }[] = [];
  const n: MediaNotifier = {
    toMeeting: (_m, event) => void sent.push({ where: 'meeting', event }),
    toMeetingHere: (_m, event) => void sent.push({ where: 'here', event }),
    toPeer: () => {},
  };
  return { n, sent };
}

describe('what a node sends to the other nodes', () => {
  const streams: Fake[] = [
    { id: 'hall-cam', kind: 'video', source: HALL },
    { id: 'hall-mic', kind: 'audio', source: HALL },
    { id: 'commune-cam', kind: 'video', source: COMMUNE },
    { id: 'commune-mic', kind: 'audio', source: COMMUNE, paused: true },
    { id: 'other-mic', kind: 'audio', source: OTHER, paused: true },
  ];

  it("sends the stage's camera and mic and every open mic, not the other cameras or closed mics", () => {
    const mm = new MeetingMedia(1, notifier().n, HALL);
    expect(producersToSend(mm, room(streams)).sort()).toEqual(['hall-cam', 'hall-mic']);
  });

  it('follows the stage and the floor: a commune on stage with its mic open is sent, the hall keeps only its open mic', () => {
    const mm = new MeetingMedia(1, notifier().n, HALL);
    mm.stage = COMMUNE;
    const open = streams.map((s) => (s.id === 'commune-mic' ? { ...s, paused: false } : s));
    expect(producersToSend(mm, room(open)).sort()).toEqual(['commune-cam', 'commune-mic', 'hall-mic']);
  });

  it('sends the active speaker even while its mic reads paused, and never what was piped in from another node', () => {
    const mm = new MeetingMedia(1, notifier().n, null);
    mm.speaker = { source: OTHER, producerId: 'other-mic', volume: -30 };
    const piped: Fake[] = [...streams, { id: 'far-mic', kind: 'audio', source: { type: 'bridge', bridgePointId: 300 }, remote: true }];
    expect(producersToSend(mm, room(piped)).sort()).toEqual(['hall-mic', 'other-mic']);
  });
});

describe("where a meeting's media news goes", () => {
  it('on one node, a stage move goes to the whole meeting', () => {
    const { n, sent } = notifier();
    const mm = new MeetingMedia(1, n, HALL);
    mm.notify('stage:changed', { source: OTHER, videoProducerId: null, audioProducerId: null, pinned: false });
    expect(sent).toEqual([{ where: 'meeting', event: 'stage:changed' }]);
  });

  it("on several nodes, a stage move goes to this node's sockets and is shared with the other nodes", () => {
    const { n, sent } = notifier();
    const shared: MeetingMedia[] = [];
    const mm = new MeetingMedia(1, n, HALL, (m) => shared.push(m));
    mm.notify('stage:changed', { source: OTHER, videoProducerId: null, audioProducerId: null, pinned: false });
    expect(sent).toEqual([{ where: 'here', event: 'stage:changed' }]);
    expect(shared).toEqual([mm]);
    // A mic decision is policy for the whole meeting either way.
    mm.notify('media:muted', { source: OTHER, muted: true, by: 'chair' });
    expect(sent.at(-1)).toEqual({ where: 'meeting', event: 'media:muted' });
  });

  it('checks hints from other nodes before acting on them', () => {
    expect(isDirectoryMessage({ type: 'room-open', from: 'node-b', meetingId: 3 })).toBe(true);
    expect(isDirectoryMessage({ type: 'stage', from: 'node-b', meetingId: 3, stage: HALL, pinned: false, floorHolder: null })).toBe(true);
    expect(isDirectoryMessage({ type: 'stage', from: 'node-b', meetingId: 3, stage: { type: 'bridge' }, pinned: false, floorHolder: null })).toBe(false);
    expect(isDirectoryMessage({ type: 'room-open', from: 'node-b', meetingId: '3' })).toBe(false);
    expect(isDirectoryMessage('room-open')).toBe(false);
  });
});
