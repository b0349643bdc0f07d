/** A recorded meeting for the minutes tests: absences, a floor queue, an open and a secret poll, an adjourned item. */
import type { PollResult } from '@diemcau/shared';
import type { MinutesFacts } from '../../../server/src/modules/minutes/minutes.model.ts';

const T0 = Date.parse('2026-11-20T01:00:00Z');
export const MIN = 60_000;

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

export const recordedFacts: MinutesFacts = {
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

