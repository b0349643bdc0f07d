/**
 * The minutes model from a recorded meeting: absences with reasons and one
 * unreported delegate, a floor queue with a withdrawal and a speech cut by the
 * meeting's end, an open and a secret poll, an adjourned item and a
 * confidential document.
 */
import { describe, expect, it } from 'vitest';
import { buildMinutes } from '../../../server/src/modules/minutes/minutes.model.ts';
import { MIN, recordedFacts } from './fixture.ts';

const recorded = recordedFacts;

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
