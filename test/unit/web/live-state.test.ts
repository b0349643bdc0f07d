import { describe, expect, it } from 'vitest';
import type { AgendaView, FloorView, Meeting, PollResult, PollView, PresenceView } from '@diemcau/shared';
import { fromSnapshot, reduce, speakerRemaining, timerRemaining, type SnapshotIn } from '../../../web/src/live/state.ts';

const meeting: Meeting = {
  id: 7,
  title: 'Hội nghị',
  kind: 'conference',
  description: '',
  startsAt: '2026-01-01T01:00:00.000Z',
  endsAt: '2026-01-01T03:00:00.000Z',
  status: 'live',
  chairUnitId: 1,
  createdBy: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const items = [1, 2].map((id) => ({ id, meetingId: 7, position: id - 1, title: `Mục ${id}`, presenter: '', plannedMinutes: 10, documentIds: [] }));
const agenda: AgendaView = { status: 'live', startedAt: 0, endedAt: null, currentItemId: 1, items, timer: null };
const floor: FloorView = { itemId: 1, queue: [], speaker: null, serverNow: 1_000_000 };
const zero = { bridges: 0, online: 0, degraded: 0, offline: 0, delegatesPresent: 0, delegates: 0, presentOnline: 0, presentInPerson: 0, absent: 0, unknown: 0 };
const presence: PresenceView = { bridges: [], delegates: [], counts: { overall: zero, provincial: zero, district: zero, commune: zero }, rollCall: null };
const snap = (over: Partial<SnapshotIn> = {}): SnapshotIn => ({ meeting, agenda, presence, floor, you: { userId: 5, role: 'delegate', bridgePointId: null, chair: false }, ...over });

const poll = (id: number, status: PollView['status']): PollView => ({
  id,
  meetingId: 7,
  agendaItemId: 1,
  title: 'Thông qua',
  kind: 'approval',
  options: [{ id: 'yes', label: 'Tán thành' }],
  minChoices: 1,
  maxChoices: 1,
  mode: 'secret',
  majority: 'simple',
  quorum: { num: 1, den: 2, inclusive: false },
  durationSeconds: null,
  allowChange: false,
  status,
  openedAt: null,
  closesAt: null,
  closedAt: null,
  publishedAt: null,
  cancelledAt: null,
  invitedCount: 3,
  eligibleCount: 3,
  quorumMet: true,
});

describe('live meeting state', () => {
  it('fills the optional snapshot parts with empty defaults and derives the clock offset', () => {
    const s = fromSnapshot(snap(), 999_000);
    expect(s.poll).toEqual({ poll: null, turnout: null, result: null, tally: null, eligible: false, voted: false });
    expect(s.media.producers).toEqual([]);
    expect(s.media.stage.videoProducerId).toBeNull();
    expect(s.clockOffset).toBe(1000);
    expect(fromSnapshot(snap()).joinId).toBeGreaterThan(s.joinId);
  });

  it('applies agenda changes for its own meeting only', () => {
    const s = fromSnapshot(snap());
    const other = reduce(s, 'agenda:changed', { meetingId: 8, agenda: { ...agenda, currentItemId: 2 } });
    expect(other).toBe(s);
    const next = reduce(s, 'agenda:changed', { meetingId: 7, agenda: { ...agenda, currentItemId: 2, status: 'ended' } });
    expect(next.agenda.currentItemId).toBe(2);
    expect(next.meeting.status).toBe('ended');
    expect(next.rev).toBe(s.rev + 1);
  });

  it('keeps the floor queue right through request, grant and revoke', () => {
    let s = fromSnapshot(snap());
    const req = { id: 11, itemId: 1, userId: 9, bridgePointId: 3, displayName: 'Điểm cầu A', topic: '', requestedAt: 1 };
    s = reduce(s, 'floor:requested', { meetingId: 7, request: req });
    s = reduce(s, 'floor:requested', { meetingId: 7, request: req });
    expect(s.floor.queue).toHaveLength(1);
    const speaker = { ...req, grantedAt: 2, limitMs: 60_000, endsAt: 1_060_000, remainingMs: 60_000, grantedBy: 1 };
    s = reduce(s, 'floor:granted', { meetingId: 7, speaker });
    expect(s.floor.queue).toHaveLength(0);
    expect(s.floor.speaker?.id).toBe(11);
    // Revoking someone else's (stale) request leaves the current speaker alone.
    expect(reduce(s, 'floor:revoked', { meetingId: 7, requestId: 99, userId: 1, bridgePointId: null, reason: 'chair', at: 3 }).floor.speaker?.id).toBe(11);
    s = reduce(s, 'floor:revoked', { meetingId: 7, requestId: 11, userId: 9, bridgePointId: 3, reason: 'chair', at: 3 });
    expect(s.floor.speaker).toBeNull();
  });

  it('starts every new poll with a fresh ballot and keeps the result of the current one', () => {
    let s = fromSnapshot(snap({ poll: { poll: poll(1, 'closed'), turnout: null, result: null, tally: null, eligible: true, voted: true } }));
    expect(s.poll.voted).toBe(true);
    const turnout = { pollId: 2, voted: 0, eligible: 3, byLevel: [], byBridgePoint: [] };
    s = reduce(s, 'poll:opened', { poll: poll(2, 'open'), turnout });
    expect(s.poll).toMatchObject({ voted: false, eligible: true, result: null, turnout });
    s = reduce(s, 'poll:turnout-changed', { ...turnout, voted: 2 });
    expect(s.poll.turnout?.voted).toBe(2);
    // Turnout of another poll is ignored.
    expect(reduce(s, 'poll:turnout-changed', { ...turnout, pollId: 1, voted: 3 }).poll.turnout?.voted).toBe(2);
    const result = { pollId: 2, outcome: 'passed' } as PollResult;
    s = reduce(s, 'poll:closed', { poll: poll(2, 'closed'), result });
    expect(s.poll.poll?.status).toBe('closed');
    expect(s.poll.result).toBe(result);
    // Another meeting's poll does not touch ours.
    expect(reduce(s, 'poll:opened', { poll: { ...poll(3, 'open'), meetingId: 99 }, turnout }).poll.poll?.id).toBe(2);
  });

  it('tracks producers, pauses and mics by source', () => {
    let s = fromSnapshot(snap());
    const p = { producerId: 'p1', kind: 'audio' as const, source: { type: 'bridge' as const, bridgePointId: 3 }, label: 'A', paused: true };
    s = reduce(s, 'producer:added', p);
    s = reduce(s, 'producer:paused', { producerId: 'p1', paused: false });
    expect(s.media.producers).toEqual([{ ...p, paused: false }]);
    s = reduce(s, 'media:muted', { source: { type: 'bridge', bridgePointId: 3 }, muted: true, by: 'chair' });
    s = reduce(s, 'media:muted', { source: { type: 'bridge', bridgePointId: 3 }, muted: false, by: 'floor' });
    expect(s.media.mics).toEqual([{ source: { type: 'bridge', bridgePointId: 3 }, muted: false, by: 'floor' }]);
    s = reduce(s, 'producer:closed', { producerId: 'p1', source: p.source, kind: 'audio' });
    expect(s.media.producers).toEqual([]);
  });

  it('counts timers down against the server clock', () => {
    const timer = { itemId: 1, status: 'running' as const, allottedMs: 600_000, extendedMs: 0, accumulatedMs: 60_000, runningSince: 1_000_000, elapsedMs: 60_000, remainingMs: 540_000, overtime: false, overtimeMs: 0, serverNow: 1_000_000 };
    // The client clock runs 5 s behind the server.
    const s = fromSnapshot(snap({ agenda: { ...agenda, timer } }), 995_000);
    expect(timerRemaining(s, 995_000 + 30_000)).toBe(600_000 - 60_000 - 30_000);
    const paused = reduce(s, 'timer:changed', { meetingId: 7, timer: { ...timer, status: 'paused', runningSince: null, serverNow: 1_100_000 } }, 1_095_000);
    expect(timerRemaining(paused, 2_000_000)).toBe(540_000);
    const sp = reduce(s, 'floor:granted', { meetingId: 7, speaker: { id: 1, itemId: 1, userId: 2, bridgePointId: null, displayName: 'X', topic: '', requestedAt: 0, grantedAt: 1_000_000, limitMs: 120_000, endsAt: 1_120_000, remainingMs: 120_000, grantedBy: 1 } });
    expect(speakerRemaining(sp, 995_000 + 20_000)).toBe(100_000);
  });
});

describe('presence deltas', () => {
  it('merges changed bridges and delegates into the roster instead of replacing it', () => {
    const bridge = (id: number, status: 'online' | 'offline') => ({ bridgePointId: id, name: `B${id}`, code: `C${id}`, level: 'district' as const, status, joinedAt: null, delegatesPresent: 0, updatedAt: null });
    const s = fromSnapshot(snap({ presence: { ...presence, bridges: [bridge(1, 'offline'), bridge(2, 'offline')] } }));
    const delegate = { userId: 5, fullName: 'A', bridgePointId: null, level: 'provincial' as const, status: 'present_online' as const, reason: null, updatedAt: 1 };
    const next = reduce(s, 'presence:changed', { meetingId: 7, bridges: [bridge(2, 'online')], delegates: [delegate], counts: presence.counts });
    expect(next.presence.bridges.map((b) => [b.bridgePointId, b.status])).toEqual([[1, 'offline'], [2, 'online']]);
    expect(next.presence.delegates).toEqual([delegate]);
    const none = reduce(next, 'presence:changed', { meetingId: 7, bridges: [], delegates: [], counts: presence.counts });
    expect(none.presence.bridges).toHaveLength(2);
  });
});

describe('documents', () => {
  it('takes the documents part of the snapshot and adds newly published ones', () => {
    const doc = (id: number, title: string) =>
      ({ id, meetingId: 7, title, classification: 'public_to_meeting', audienceRoles: [], audienceUnitIds: [], version: 1, fileName: 'a.pdf', mime: 'application/pdf', size: 10, sha256: 'x', pages: 1, status: 'published', publishedAt: 'now', downloadable: true, viewable: true, agendaItemIds: [] }) as const;
    const s = fromSnapshot(snap({ documents: { documents: [doc(1, 'A')] } }));
    expect(s.documents.map((d) => d.title)).toEqual(['A']);
    const next = reduce(reduce(s, 'document:published', { meetingId: 7, document: doc(2, 'B') }), 'document:published', { meetingId: 7, document: doc(1, 'A2') });
    expect(next.documents.map((d) => d.title)).toEqual(['A2', 'B']);
    const got = reduce(next, 'document:received', { meetingId: 7, documentId: 2, version: 1, userId: 5, fullName: 'X', bridgePointId: null, channel: 'qr', at: 'now' });
    expect(got.receiptsRev).toBe(next.receiptsRev + 1);
    expect(reduce(got, 'document:received', { meetingId: 8, documentId: 2, version: 1, userId: 5, fullName: 'X', bridgePointId: null, channel: 'qr', at: 'now' })).toBe(got);
    expect(fromSnapshot(snap()).documents).toEqual([]);
  });
});
