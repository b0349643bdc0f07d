/**
 * The minutes model from a recorded meeting: absences with reasons and one
 * unreported delegate, a floor queue with a withdrawal and a speech cut by the
 * meeting's end, an open and a secret poll, an adjourned item and a
 * confidential document.
 */
import { describe, expect, it } from 'vitest';
import type { PollResult } from '@diemcau/shared';
import { buildMinutes, type MinutesFacts } from '../../../server/src/modules/minutes/minutes.model.ts';

const T0 = Date.parse('2026-11-20T01:00:00Z');
const MIN = 60_000;

const result = (over: Partial<PollResult> & Pick<PollResult, 'pollId' | 'mode' | 'options' | 'voted' | 'outcome' | 'winners'>): PollResult => ({
  kind: 'approval',
  majority: 'simple',
  quorum: { rule: { num: 1, den: 2, inclusive: false }, invited: 6, present: 4, met: true },
  eligible: 4,
  base: 4,
  required: 3,
  tied: [],
  byLevel: [],
  byBridgePoint: [],
  closedAt: '2026-11-20T02:00:00.000Z',
  chainHead: 'a'.repeat(64),
  ...over,
});

export const recorded: MinutesFacts = {
  meeting: {
    id: 7,
    title: 'Hội nghị Ban Chấp hành Đảng bộ tỉnh',
    description: '',
    startsAt: '2026-11-20T01:00:00.000Z',
    endsAt: '2026-11-20T04:00:00.000Z',
    startedAt: T0,
    endedAt: T0 + 90 * MIN,
    chairUnitName: 'Tỉnh Sơn Hà',
  },
  bridges: [
    { bridgePointId: 1, name: 'Hội trường Tỉnh ủy', level: 'provincial', status: 'online', delegatesPresent: 3, answeredRollCall: true },
    { bridgePointId: 2, name: 'Huyện Bắc Sơn', level: 'district', status: 'offline', delegatesPresent: 1, answeredRollCall: true },
    { bridgePointId: 3, name: 'Xã Tân Lập', level: 'commune', status: 'offline', delegatesPresent: 0, answeredRollCall: false },
  ],
  delegates: [
    { userId: 11, fullName: 'Nguyễn Văn An', bridgePointId: 1, level: 'provincial', status: 'present_in_person', reason: null },
    { userId: 12, fullName: 'Trần Thị Bình', bridgePointId: 1, level: 'provincial', status: 'present_in_person', reason: null },
    { userId: 13, fullName: 'Lê Văn Cường', bridgePointId: 1, level: 'provincial', status: 'absent', reason: 'Đi công tác' },
    { userId: 14, fullName: 'Phạm Thị Dung', bridgePointId: 2, level: 'district', status: 'present_online', reason: null },
    { userId: 15, fullName: 'Hoàng Văn Em', bridgePointId: 3, level: 'commune', status: 'unknown', reason: null },
    { userId: 16, fullName: 'Vũ Thị Giang', bridgePointId: null, level: 'district', status: 'present_online', reason: null },
  ],
  agenda: [
    { id: 101, position: 1, title: 'Báo cáo tình hình kinh tế - xã hội', presenter: 'Đồng chí Chủ tịch UBND', plannedMinutes: 30, documentIds: [201, 202], usedMs: 41 * MIN, takenUp: true },
    { id: 102, position: 2, title: 'Thảo luận', presenter: '', plannedMinutes: 40, documentIds: [], usedMs: 35 * MIN, takenUp: true },
    { id: 103, position: 3, title: 'Công tác cán bộ', presenter: 'Ban Tổ chức', plannedMinutes: 20, documentIds: [203], usedMs: 0, takenUp: false },
  ],
  floorLog: [
    { kind: 'requested', at: T0 + 42 * MIN, requestId: 1, itemId: 102, userId: 14, bridgePointId: 2, displayName: 'Phạm Thị Dung', topic: 'Giao thông' },
    { kind: 'requested', at: T0 + 43 * MIN, requestId: 2, itemId: 102, userId: 11, bridgePointId: 1, displayName: 'Nguyễn Văn An', topic: '' },
    { kind: 'requested', at: T0 + 44 * MIN, requestId: 3, itemId: 102, userId: 12, bridgePointId: 1, displayName: 'Trần Thị Bình', topic: '' },
    { kind: 'reordered', at: T0 + 45 * MIN, requestId: null, itemId: null, userId: null, bridgePointId: null, displayName: null, topic: null },
    { kind: 'granted', at: T0 + 46 * MIN, requestId: 2, itemId: 102, userId: 11, bridgePointId: 1, displayName: 'Nguyễn Văn An', topic: '' },
    { kind: 'withdrawn', at: T0 + 47 * MIN, requestId: 3, itemId: 102, userId: 12, bridgePointId: 1, displayName: 'Trần Thị Bình', topic: '' },
    { kind: 'revoked', at: T0 + 51 * MIN, requestId: 2, itemId: 102, userId: 11, bridgePointId: 1, displayName: 'Nguyễn Văn An', topic: '' },
    { kind: 'granted', at: T0 + 86 * MIN, requestId: 1, itemId: 102, userId: 14, bridgePointId: 2, displayName: 'Phạm Thị Dung', topic: 'Giao thông' },
  ],
  documents: [
    { id: 201, title: 'Báo cáo KT-XH năm 2026', classification: 'public_to_meeting', everConfidential: false },
    { id: 202, title: 'Đề án nhân sự khóa mới', classification: 'confidential', everConfidential: true },
    { id: 203, title: 'Danh sách quy hoạch', classification: 'restricted', everConfidential: true },
  ],
  polls: [
    {
      id: 301,
      title: 'Thông qua báo cáo',
      agendaItemId: 101,
      labels: { yes: 'Tán thành', no: 'Không tán thành', abstain: 'Không biểu quyết' },
      result: result({
        pollId: 301,
        mode: 'open',
        voted: 4,
        outcome: 'passed',
        winners: ['yes'],
        options: [
          { id: 'yes', label: 'Tán thành', votes: 3, carried: true },
          { id: 'no', label: 'Không tán thành', votes: 1, carried: false },
          { id: 'abstain', label: 'Không biểu quyết', votes: 0, carried: false },
        ],
      }),
    },
    {
      id: 302,
      title: 'Bầu Ủy viên Ban Thường vụ',
      agendaItemId: 102,
      labels: { '1': 'Nguyễn Văn An', '2': 'Trần Thị Bình' },
      result: result({
        pollId: 302,
        kind: 'election',
        mode: 'secret',
        voted: 4,
        outcome: 'passed',
        winners: ['1'],
        chainHead: 'b'.repeat(64),
        options: [
          { id: '1', label: 'Nguyễn Văn An', votes: 3, carried: true },
          { id: '2', label: 'Trần Thị Bình', votes: 1, carried: false },
        ],
      }),
    },
  ],
};

describe('minutes model', () => {
  const m = buildMinutes(recorded);

  it('counts attendance overall, per level and per bridge, and names the absent with their reason', () => {
    expect(m.attendance.overall).toEqual({ invited: 6, presentOnline: 2, presentInPerson: 2, absent: 1, unreported: 1 });
    expect(m.attendance.byLevel.provincial).toEqual({ invited: 3, presentOnline: 0, presentInPerson: 2, absent: 1, unreported: 0 });
    expect(m.attendance.byLevel.district).toEqual({ invited: 2, presentOnline: 2, presentInPerson: 0, absent: 0, unreported: 0 });
    expect(m.attendance.byLevel.commune.unreported).toBe(1);
    expect(m.attendance.ownDevice.presentOnline).toBe(1);
    expect(m.attendance.byBridge.map((b) => [b.name, b.connected, b.invited])).toEqual([
      ['Hội trường Tỉnh ủy', true, 3],
      ['Huyện Bắc Sơn', true, 1],
      ['Xã Tân Lập', false, 1],
    ]);
    expect(m.attendance.absentees).toEqual([
      { fullName: 'Lê Văn Cường', bridge: 'Hội trường Tỉnh ủy', level: 'provincial', reason: 'Đi công tác' },
      { fullName: 'Hoàng Văn Em', bridge: 'Xã Tân Lập', level: 'commune', reason: 'Không báo cáo' },
    ]);
    expect(m.meeting.form).toBe('online');
    expect(m.meeting.bridgesConnected).toBe(2);
  });

  it('lists speakers in the order they spoke, with bridge and time, counting the unheard requests', () => {
    const item = m.items.find((i) => i.id === 102)!;
    expect(item.speakers.map((s) => [s.order, s.name, s.bridge, s.durationMs / MIN])).toEqual([
      [1, 'Nguyễn Văn An', 'Hội trường Tỉnh ủy', 5],
      // Still speaking when the meeting ended at +90 min.
      [2, 'Phạm Thị Dung', 'Huyện Bắc Sơn', 4],
    ]);
    expect(item.unheardRequests).toBe(1);
  });

  it('reports time used against time planned and marks the item never taken up as adjourned', () => {
    expect(m.items.map((i) => [i.number, i.usedMinutes, i.plannedMinutes, i.overMinutes, i.status])).toEqual([
      [1, 41, 30, 11, 'discussed'],
      [2, 35, 40, 0, 'discussed'],
      [3, 0, 20, 0, 'adjourned'],
    ]);
  });

  it('never carries the title of a document that is or was confidential', () => {
    expect(m.documents).toEqual([
      { number: 1, title: 'Báo cáo KT-XH năm 2026', confidential: false },
      { number: 2, title: null, confidential: true },
      { number: 3, title: null, confidential: true },
    ]);
    expect(JSON.stringify(m)).not.toContain('Đề án nhân sự');
    expect(JSON.stringify(m)).not.toContain('quy hoạch');
  });

  it('gives each poll its counts, outcome in words and chain head; links polls to items', () => {
    const [open, secret] = m.polls;
    expect(open!.options.map((o) => o.votes)).toEqual([3, 1, 0]);
    expect(open!.outcomeText).toBe('Được thông qua với 3/4 đại biểu tán thành (75% số đại biểu có quyền biểu quyết).');
    expect(secret!.mode).toBe('secret');
    expect(secret!.outcomeText).toBe('Trúng cử: Nguyễn Văn An – 3 phiếu (75% số đại biểu có quyền biểu quyết).');
    expect(secret!.chainHead).toBe('b'.repeat(64));
    expect(m.items.map((i) => i.pollNumbers)).toEqual([[1], [2], []]);
  });

  it('says when a poll lacked a quorum', () => {
    const p = recorded.polls[0]!;
    const noQuorum = buildMinutes({
      ...recorded,
      polls: [{ ...p, result: { ...p.result, outcome: 'no_quorum', quorum: { ...p.result.quorum, present: 2, met: false } } }],
    });
    expect(noQuorum.polls[0]!.outcomeText).toContain('Không đủ số đại biểu cần thiết (có mặt 2/6');
  });
});
