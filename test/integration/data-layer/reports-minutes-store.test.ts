/**
 * The reports and minutes repositories on the async data layer, on the engine of this run (SQLite in
 * the main suite, PostgreSQL in the second pass): the facts a report is computed from (scope by unit
 * tree, attendance summary over invitations, receipts counted per channel and timing, poll turnout),
 * the distance and attendance upserts, and the minutes' versions, fields, settings and archive.
 * (test/integration/reports and test/integration/minutes cover both through the app.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/src/db/database.ts';
import type { AuthUser } from '../../../server/src/modules/auth/auth.service.ts';
import { listArchive } from '../../../server/src/modules/minutes/minutes.archive.ts';
import * as minutes from '../../../server/src/modules/minutes/minutes.repo.ts';
import { listDistances, loadFacts, loadUnits, recordAttendance, setDistance } from '../../../server/src/modules/reports/reports.repo.ts';
import { getReport } from '../../../server/src/modules/reports/reports.service.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/database.ts';

let tdb: TestDatabase;
let db: Database;
const id: Record<string, number> = {};
const START = '2030-03-10T02:00:00.000Z';
const before = '2030-03-09T10:00:00.000Z';
const after = '2030-03-10T03:00:00.000Z';
const scope = (unitId: number) => ({ unitId, from: '2030-03-01T00:00:00.000Z', to: '2030-04-01T00:00:00.000Z' });
const rates = { vndPerPage: 500, vndPerKm: 3000, perDiemVnd: 100_000, kmh: 40 };

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  await db.tx(async ({ q, t }) => {
    const unit = async (key: string, level: 'province' | 'district' | 'commune', parentId: number | null) => {
      const [u] = await q.insert(t.units).values({ level, code: key, name: `Đơn vị ${key}`, parentId, provinceId: parentId === null ? null : id.P! }).returning();
      return (id[key] = u!.id);
    };
    await unit('P', 'province', null);
    await unit('D', 'district', id.P!);
    await unit('C', 'commune', id.D!);
    const bridge = async (key: string, unitId: number, level: 'provincial' | 'district' | 'commune') => {
      const [b] = await q.insert(t.bridgePoints).values({ unitId, level, name: `Điểm cầu ${key}`, roomName: key }).returning();
      return (id[key] = b!.id);
    };
    await bridge('bpP', id.P!, 'provincial');
    await bridge('bpD', id.D!, 'district');
    await bridge('bpC', id.C!, 'commune');
    for (const u of ['u1', 'u2', 'u3', 'u4']) {
      const [row] = await q.insert(t.users).values({ username: u, passwordHash: 'x', fullName: u, role: 'delegate', unitId: id.P! }).returning();
      id[u] = row!.id;
    }
    const meeting = async (key: string, status: 'ended' | 'scheduled' | 'archived', startsAt: string) => {
      const endsAt = new Date(Date.parse(startsAt) + 2 * 3600_000).toISOString();
      const [m] = await q.insert(t.meetings).values({ title: `Hội nghị ${key}`, kind: 'conference', status, startsAt, endsAt, chairUnitId: id.P! }).returning();
      return (id[key] = m!.id);
    };
    await meeting('M1', 'ended', START);
    await meeting('M2', 'scheduled', '2030-03-20T02:00:00.000Z');
    await meeting('M3', 'archived', '2030-05-01T02:00:00.000Z');
    await q.insert(t.meetingBridgePoints).values(['bpP', 'bpD', 'bpC'].map((b) => ({ meetingId: id.M1!, bridgePointId: id[b]! })));
    await q.insert(t.meetingDelegates).values([
      { meetingId: id.M1!, userId: id.u1!, bridgePointId: id.bpP! },
      { meetingId: id.M1!, userId: id.u2!, bridgePointId: id.bpD! },
      { meetingId: id.M1!, userId: id.u3!, bridgePointId: id.bpC! },
      // On their own phone.
      { meetingId: id.M1!, userId: id.u4!, bridgePointId: null },
    ]);
    const [doc] = await q.insert(t.documents).values({ meetingId: id.M1!, title: 'Báo cáo', classification: 'public_to_meeting', publishedAt: before }).returning();
    await q.insert(t.documents).values({ meetingId: id.M1!, title: 'Chưa phát hành', classification: 'public_to_meeting' });
    await q.insert(t.documentVersions).values({ documentId: doc!.id, version: 1, fileName: 'a.pdf', mime: 'application/pdf', size: 1, sha256: 'x', pages: 5 });
    await q.insert(t.documentReceipts).values([
      { meetingId: id.M1!, documentId: doc!.id, version: 1, bridgePointId: id.bpD!, channel: 'qr', at: before },
      { meetingId: id.M1!, documentId: doc!.id, version: 1, bridgePointId: id.bpC!, channel: 'web', at: after },
      { meetingId: id.M1!, documentId: doc!.id, version: 1, bridgePointId: null, channel: 'web', at: before },
    ]);
    const voter = (userId: number) => ({ userId, bridgePointId: null, bridgeName: '', level: 'provincial' });
    const [poll] = await q
      .insert(t.polls)
      .values({ meetingId: id.M1!, title: 'Biểu quyết', spec: {} as never, status: 'closed', eligible: [voter(id.u1!), voter(id.u2!), voter(id.u3!)] as never })
      .returning();
    await q.insert(t.polls).values({ meetingId: id.M1!, title: 'Nháp', spec: {} as never, status: 'draft' });
    // A secret poll's rows are made at open with voted = 0 for every eligible delegate: u3 never voted.
    await q.insert(t.pollVoters).values([{ id: 11, pollId: poll!.id, userId: id.u1! }, { id: 12, pollId: poll!.id, userId: id.u2! }, { id: 13, pollId: poll!.id, userId: id.u3!, voted: 0 }]);
  });
});
afterAll(() => tdb?.cleanup());

describe('reports repository', () => {
  it('upserts distances and attendance; an unknown unit is refused', async () => {
    await db.tx(async (s) => {
      expect(await setDistance(s, id.D!, 30)).toBe(true);
      expect(await setDistance(s, id.D!, 40)).toBe(true);
      expect(await setDistance(s, id.C!, 10)).toBe(true);
      expect(await setDistance(s, 999_999, 1)).toBe(false);
      await recordAttendance(s, id.M1!, [
        { bridgePointId: id.bpP!, connected: true, invited: 1, attended: 1 },
        { bridgePointId: id.bpD!, connected: true, invited: 1, attended: 1 },
      ]);
      await recordAttendance(s, id.M1!, [{ bridgePointId: id.bpD!, connected: true, invited: 1, attended: 0 }]);
    });
    const list = await db.run(listDistances);
    expect(list.map((u) => [u.unitId, u.km])).toEqual([
      [id.P, 0],
      [id.D, 40],
      [id.C, 10],
    ]);
  });

  it('gathers the facts of the held meetings of the period, for the whole province', async () => {
    const facts = await db.run(async (s) => loadFacts(s, scope(id.P!), await loadUnits(s)));
    expect(facts.map((f) => f.id)).toEqual([id.M1]);
    const [m] = facts;
    expect(m!.bridges).toEqual([
      { bridgePointId: id.bpP, unitId: id.P, districtId: null, level: 'provincial', connected: true, invited: 1, attended: 1, atHostSeat: true, distanceKm: 0 },
      { bridgePointId: id.bpD, unitId: id.D, districtId: id.D, level: 'district', connected: true, invited: 1, attended: 0, atHostSeat: false, distanceKm: 40 },
      // No summary: invited from the invitations, not connected.
      { bridgePointId: id.bpC, unitId: id.C, districtId: id.D, level: 'commune', connected: false, invited: 1, attended: 0, atHostSeat: false, distanceKm: 50 },
    ]);
    // The delegate on their own phone counts for the province as a whole.
    expect(m!.documents).toEqual([{ pages: 5, invitedDelegates: 4, qrPickups: 1, downloads: 2, pickedUpBeforeStart: 2 }]);
    expect(m!.polls).toEqual([{ eligible: 3, voted: 2 }]);
  });

  it('a district sees its own bridge points and receipts only', async () => {
    const [m] = await db.run(async (s) => loadFacts(s, scope(id.D!), await loadUnits(s)));
    expect(m!.bridges.map((b) => b.bridgePointId)).toEqual([id.bpD, id.bpC]);
    expect(m!.documents).toEqual([{ pages: 5, invitedDelegates: 2, qrPickups: 1, downloads: 1, pickedUpBeforeStart: 1 }]);
  });

  it('builds the report with the previous period and district names', async () => {
    const r = await db.run((s) => getReport(s, scope(id.P!), rates));
    expect(r.current.meetings).toBe(1);
    expect(r.current.hours).toBe(2);
    expect(r.previous.meetings).toBe(0);
    expect(r.districtNames).toEqual({ [id.D!]: 'Đơn vị D' });
  });
});

describe('minutes repository', () => {
  it('keeps one version per number, the latest field values and the settings', async () => {
    const first = await db.run((s) => minutes.insertVersion(s, id.M1!, 1, id.u1!, null));
    expect(first).toMatchObject({ meetingId: id.M1, version: 1, status: 'draft' });
    // A second writer of the same version gets nothing back, and no error aborts its transaction.
    await db.tx(async (s) => {
      expect(await minutes.insertVersion(s, id.M1!, 1, id.u2!, null)).toBeUndefined();
      await minutes.insertField(s, first!.id, 'overall', 1, 'một', id.u1!);
      await minutes.insertField(s, first!.id, 'overall', 2, 'hai', id.u2!);
      await minutes.insertField(s, first!.id, 'chair', 1, 'Chủ tọa', id.u1!);
    });
    await db.run(async (s) => {
      expect(await minutes.currentFields(s, first!.id)).toEqual({ overall: { value: 'hai', version: 2 }, chair: { value: 'Chủ tọa', version: 1 } });
      expect(await minutes.fieldAt(s, first!.id, 'overall', 1)).toBe('một');
      await minutes.updateMinutes(s, first!.id, { status: 'final', snapshot: { model: {} as never, fields: { overall: 'hai' }, style: 'party' } });
      await minutes.insertVersion(s, id.M1!, 2, id.u1!, 'sửa');
      expect((await minutes.listVersions(s, id.M1!)).map((v) => [v.version, v.status])).toEqual([
        [1, 'final'],
        [2, 'draft'],
      ]);
      expect((await minutes.versionOf(s, id.M1!, 1))!.snapshot!.fields).toEqual({ overall: 'hai' });
      expect((await minutes.latest(s, id.M1!))!.version).toBe(2);

      const settings = { unitId: id.P!, style: 'party' as const, superior: 'A', issuer: 'B', symbol: 'BB', place: 'Sơn Hà' };
      await minutes.putSettings(s, settings);
      await minutes.putSettings(s, { ...settings, style: 'state', symbol: 'BB-VP' });
      expect(await minutes.getSettings(s, id.P!)).toEqual({ ...settings, style: 'state', symbol: 'BB-VP' });
    });
  });

  it('lists ended meetings in the archive, newest first, searchable by their conclusions', async () => {
    const admin = { id: id.u1!, role: 'admin', provinceId: null } as AuthUser;
    const text = async (_: unknown, row: minutes.MinutesRow | undefined) => (row ? 'kết luận giao thông' : '');
    const all = await db.run((s) => listArchive(s, admin, {}, text));
    expect(all.map((r) => r.id)).toEqual([id.M3, id.M1]);
    expect(all[1]!.minutes).toMatchObject({ version: 2, status: 'draft' });
    const found = await db.run((s) => listArchive(s, admin, { q: 'ket luan giao thong' }, text));
    expect(found.map((r) => r.id)).toEqual([id.M1]);
  });
});
