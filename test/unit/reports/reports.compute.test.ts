import { describe, expect, it } from 'vitest';
import { buildReport, computeFigures, monthOf, perDistrict, perMonth, previousPeriod, type BridgeFact, type MeetingFact, type Rates } from '../../../server/src/modules/reports/reports.compute.ts';

const rates: Rates = { vndPerPage: 500, vndPerKm: 5000, perDiemVnd: 200_000, kmh: 40 };
const bridge = (o: Partial<BridgeFact> & Pick<BridgeFact, 'bridgePointId'>): BridgeFact => ({
  unitId: o.bridgePointId, districtId: null, level: 'commune', connected: true, invited: 0, attended: 0, atHostSeat: false, distanceKm: 0, ...o,
});

// Meeting A (Jan, hybrid): the seat (10 invited, 9 came), district 20 (5/4, 30 km), commune 21 (3/3, 40 km),
// commune 22 invited (2) but never connected. Two documents: 10 pages and a zero-page one.
const A: MeetingFact = {
  id: 1, startsAt: '2026-01-10T01:00:00.000Z', endsAt: '2026-01-10T04:30:00.000Z',
  bridges: [
    bridge({ bridgePointId: 1, level: 'provincial', atHostSeat: true, invited: 10, attended: 9 }),
    bridge({ bridgePointId: 2, districtId: 20, level: 'district', invited: 5, attended: 4, distanceKm: 30 }),
    bridge({ bridgePointId: 3, districtId: 20, invited: 3, attended: 3, distanceKm: 40 }),
    bridge({ bridgePointId: 4, districtId: 20, connected: false, invited: 2, attended: 0, distanceKm: 50 }),
  ],
  documents: [
    { pages: 10, invitedDelegates: 20, qrPickups: 6, downloads: 4, pickedUpBeforeStart: 7 },
    { pages: 0, invitedDelegates: 20, qrPickups: 1, downloads: 1, pickedUpBeforeStart: 0 },
  ],
  polls: [{ eligible: 16, voted: 12 }],
};
// Meeting B (Feb, in person): no bridge online, everyone came to the seat; a document with unknown pages.
const B: MeetingFact = {
  id: 2, startsAt: '2026-01-31T18:00:00.000Z', endsAt: '2026-01-31T20:00:00.000Z', // 01:00 on 1 Feb in Vietnam
  bridges: [bridge({ bridgePointId: 1, level: 'provincial', atHostSeat: true, invited: 8, attended: 8 }), bridge({ bridgePointId: 2, districtId: 20, level: 'district', connected: false, invited: 2, distanceKm: 30 })],
  documents: [{ pages: null, invitedDelegates: 10, qrPickups: 0, downloads: 0, pickedUpBeforeStart: 0 }],
  polls: [{ eligible: 8, voted: 8 }],
};

describe('report figures on a hand-computed fixture', () => {
  const f = computeFigures([A, B], rates);

  it('meetings, online share, hours and bridges', () => {
    expect(f.meetings).toBe(2);
    expect(f.onlineOrHybrid).toBe(1); // B had no bridge online
    expect(f.onlineShare).toBe(0.5);
    expect(f.hours).toBe(3.5 + 2);
    expect(f.bridgesConnected).toBe(3 + 1);
    expect(f.bridgesPerMeeting).toBe(2);
    expect(f.bridgesByLevel).toEqual({ provincial: 2, district: 1, commune: 1 });
  });

  it('attendance and delegates who joined from their own bridge point', () => {
    expect(f.invited).toBe(20 + 10);
    expect(f.attended).toBe(16 + 8);
    expect(f.attendanceRate).toBeCloseTo(24 / 30, 12);
    expect(f.joinedLocally).toBe(4 + 3); // the seat's delegates and B's travellers did not avoid travel
  });

  it('documents: pages, copies that would have been printed, pickups', () => {
    expect(f.documents).toBe(3);
    expect(f.pages).toBe(10); // zero-page and unknown-page documents add nothing
    expect(f.copiesAvoided).toBe(10 * 20);
    expect(f.qrPickups).toBe(7);
    expect(f.downloads).toBe(5);
    expect(f.pickedUpBeforeStartShare).toBeCloseTo(7 / 12, 12);
  });

  it('savings: paper, travel km, VND and hours', () => {
    expect(f.paperSavingVnd).toBe(200 * 500);
    const km = 2 * 30 * 4 + 2 * 40 * 3; // 240 + 240
    expect(f.travelKmAvoided).toBe(km);
    expect(f.travelSavingVnd).toBe(km * 5000 + 7 * 200_000);
    expect(f.travelHoursAvoided).toBe(km / 40);
    expect(f.totalSavingVnd).toBe(100_000 + 2_400_000 + 1_400_000);
  });

  it('polls and turnout', () => {
    expect(f.polls).toBe(2);
    expect(f.pollTurnout).toBeCloseTo(20 / 24, 12);
  });

  it('an empty period is all zeros, never NaN', () => {
    const z = computeFigures([], rates);
    expect(Object.values(z).filter((v) => typeof v === 'number' && !Number.isFinite(v))).toEqual([]);
    expect(z.onlineShare).toBe(0);
    expect(z.totalSavingVnd).toBe(0);
  });

  it('months are Vietnam time; per month and per district rows', () => {
    expect(monthOf(B.startsAt)).toBe('2026-02');
    expect(perMonth([A, B], rates)).toEqual([
      { month: '2026-01', meetings: 1, onlineShare: 1, savingVnd: 100_000 + 2_400_000 + 1_400_000 },
      { month: '2026-02', meetings: 1, onlineShare: 0, savingVnd: 0 },
    ]);
    expect(perDistrict([A, B], rates)).toEqual([{ districtId: 20, meetings: 2, bridgesConnected: 2, joinedLocally: 7, savingVnd: 2_400_000 + 1_400_000 }]);
  });

  it('compares with the period of the same length just before', () => {
    // A quarter in Vietnam time (months start at 17:00 UTC the day before) compares with the previous quarter.
    expect(previousPeriod('2026-03-31T17:00:00.000Z', '2026-06-30T17:00:00.000Z')).toEqual({ from: '2025-12-31T17:00:00.000Z', to: '2026-03-31T17:00:00.000Z' });
    expect(previousPeriod('2026-04-10T00:00:00.000Z', '2026-04-20T00:00:00.000Z')).toEqual({ from: '2026-03-31T00:00:00.000Z', to: '2026-04-10T00:00:00.000Z' });
    const r = buildReport([A], [B], rates);
    expect(r.current.meetings).toBe(1);
    expect(r.previous.onlineOrHybrid).toBe(0);
  });
});
