/**
 * The demo seed and the meetings and agenda repositories on the engine of this run (SQLite in the
 * main suite, PostgreSQL in the second pass, scripts/test-pg.mjs): the demo province and its year
 * of history go in once with their links intact, and the repositories' queries (the unit subtree,
 * re-seating upserts, deletes that report what they removed, agenda positions) read the same on
 * both. test/integration/foundation and documents cover the routes through the app.
 */
import { asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgendaItem } from '../../../shared/src/index.ts';
import type { Database, Store } from '../../../server/src/db/database.ts';
import { seedDemo, type SeedSummary } from '../../../server/src/db/seed.ts';
import * as agenda from '../../../server/src/modules/agenda/agenda.repo.ts';
import type { AuthUser } from '../../../server/src/modules/auth/auth.service.ts';
import * as meetings from '../../../server/src/modules/meetings/meetings.repo.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

let tdb: TestDatabase;
let db: Database;
let seeded: SeedSummary | null;

const rows = (table: keyof Store['t']) => db.run(async ({ q, t }) => (await q.select({ n: count() }).from(t[table] as typeof t.units))[0]!.n);
const userNamed = (username: string) => db.run(async ({ q, t }) => (await q.select().from(t.users).where(eq(t.users.username, username)))[0]!);
const asUser = (u: { id: number; role: AuthUser['role'] }, scope: AuthUser['scope'] = null) => ({ id: u.id, role: u.role, provinceId: null, bridgePointId: null, scope }) as AuthUser;

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  seeded = await seedDemo(db);
}, 120_000);
afterAll(async () => {
  await tdb?.cleanup();
});

describe(`demo seed on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('seeds the province, its accounts, the conference and a year of history, once', async () => {
    expect(seeded).toMatchObject({ units: 212, bridgePoints: 213, users: 246 });
    expect(seeded!.meetings).toBeGreaterThan(100);
    expect(await rows('units')).toBe(212);
    expect(await rows('users')).toBe(246);
    expect(await rows('meetings')).toBe(seeded!.meetings);
    expect(await rows('documentReceipts')).toBeGreaterThan(10_000);
    expect(await seedDemo(db)).toBeNull();
    expect(await rows('users')).toBe(246);
  });

  it('links every row to the right parent: operators, halls, delegates, the conference', async () => {
    const got = await db.run(async ({ q, t }) => {
      const op = (await q.select().from(t.users).where(eq(t.users.username, 'cau.99101')))[0]!;
      const [bp] = await q.select().from(t.bridgePoints).where(eq(t.bridgePoints.operatorUserId, op.id));
      const [unit] = await q.select().from(t.units).where(eq(t.units.id, bp!.unitId));
      const [parent] = await q.select().from(t.units).where(eq(t.units.id, unit!.parentId!));
      const [conference] = await q.select().from(t.meetings).orderBy(asc(t.meetings.id)).limit(1);
      const delegates = await q.select().from(t.meetingDelegates).where(eq(t.meetingDelegates.meetingId, conference!.id));
      const [attendance] = await q.select().from(t.meetingAttendance).limit(1);
      const [items] = await q.select({ n: count() }).from(t.agendaItems).where(eq(t.agendaItems.meetingId, conference!.id));
      return { op, bp: bp!, unit: unit!, parent: parent!, conference: conference!, delegates, attendance: attendance!, items: items!.n };
    });
    expect(got.unit).toMatchObject({ code: '99101', level: 'commune' });
    expect(got.op.unitId).toBe(got.unit.id);
    expect(got.parent).toMatchObject({ code: '991', level: 'district' });
    expect(got.bp.level).toBe('commune');
    expect(got.conference).toMatchObject({ id: 1, status: 'scheduled' });
    expect(got.delegates).toHaveLength(30);
    expect(got.items).toBe(5);
    expect(typeof got.attendance.connected).toBe('boolean');
    const d1 = await userNamed('daibieu01');
    expect(got.delegates.find((d) => d.userId === d1.id)?.bridgePointId).toBe(d1.homeBridgePointId);
  });
});

describe(`meetings and agenda repositories on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  let meetingId = 0;
  let districtId = 0;
  let provinceId = 0;

  beforeAll(async () => {
    const sec = await userNamed('vanphong');
    provinceId = sec.unitId!;
    districtId = await db.run(async ({ q, t }) => (await q.select().from(t.units).where(eq(t.units.code, '992')))[0]!.id);
    const m = await db.tx((s) =>
      meetings.insertMeeting(s, { title: 'Họp thử', kind: 'conference', startsAt: '2031-01-01T01:00:00.000Z', endsAt: '2031-01-01T03:00:00.000Z', chairUnitId: provinceId }, sec.id),
    );
    meetingId = m.id;
  });

  it('finds the bridge points of a unit subtree, within one province', async () => {
    const under = await db.run((s) => meetings.bridgePointsUnder(s, [districtId], provinceId));
    const expected = await db.run(async ({ q, t }) =>
      (await q.select({ id: t.bridgePoints.id, unit: t.units }).from(t.bridgePoints).innerJoin(t.units, eq(t.units.id, t.bridgePoints.unitId)).orderBy(asc(t.bridgePoints.id)))
        .filter((r) => r.unit.id === districtId || r.unit.parentId === districtId)
        .map((r) => r.id),
    );
    expect(under).toEqual(expected);
    expect(under.length).toBeGreaterThan(10);
    expect(await db.run((s) => meetings.bridgePointsUnder(s, [districtId], provinceId + 999))).toEqual([]);
    expect(await db.run((s) => meetings.bridgePointsInProvince(s, under, provinceId))).toHaveLength(under.length);
  });

  it('invites at home halls when invited, re-seats on a second invitation, and uninvites', async () => {
    const [d1, d2] = [await userNamed('daibieu01'), await userNamed('daibieu02')];
    const home = d1.homeBridgePointId!;
    await db.tx((s) => meetings.inviteBridgePoints(s, meetingId, [home, home]));
    await db.tx((s) => meetings.inviteDelegates(s, meetingId, [d1.id, d2.id], undefined));
    let inv = await db.run((s) => meetings.getInvitation(s, meetingId));
    expect(inv.bridgePoints.map((b) => b.id)).toEqual([home]);
    expect(inv.delegates.map((d) => [d.userId, d.bridgePointId])).toEqual([
      [d1.id, home],
      [d2.id, home],
    ]);
    await db.tx((s) => meetings.inviteDelegates(s, meetingId, [d2.id], null));
    inv = await db.run((s) => meetings.getInvitation(s, meetingId));
    expect(inv.delegates.map((d) => d.bridgePointId)).toEqual([home, null]);
    expect(await db.tx((s) => meetings.uninviteDelegate(s, meetingId, d2.id))).toBe(true);
    expect(await db.tx((s) => meetings.uninviteDelegate(s, meetingId, d2.id))).toBe(false);
    expect(await db.tx((s) => meetings.uninviteBridgePoint(s, meetingId, home))).toBe(true);
    expect(await db.tx((s) => meetings.uninviteBridgePoint(s, meetingId, home))).toBe(false);
    const mine = await db.run((s) => meetings.listMeetings(s, asUser(d1)));
    expect(mine.map((m) => m.id)).toEqual([meetingId, 1]);
    expect((await db.run((s) => meetings.listMeetings(s, asUser(d1, { meetingId: 1 } as AuthUser['scope'])))).map((m) => m.id)).toEqual([1]);
  });

  it('keeps agenda positions 0..n-1 through insert, reorder and delete', async () => {
    const items: AgendaItem[] = [];
    for (const title of ['A', 'B', 'C']) items.push(await db.tx((s) => agenda.insertItem(s, meetingId, { title, plannedMinutes: 5, documentIds: [2, 1] })));
    expect(items.map((i) => i.position)).toEqual([0, 1, 2]);
    expect(items[0]!.documentIds).toEqual([2, 1]);
    await db.tx((s) => agenda.applyPositions(s, new Map([[items[2]!.id, 0], [items[0]!.id, 1], [items[1]!.id, 2]])));
    expect((await db.run((s) => agenda.listAgenda(s, meetingId))).map((i) => i.title)).toEqual(['C', 'A', 'B']);
    await db.tx((s) => agenda.deleteItem(s, items[0]!.id));
    expect(await db.run((s) => agenda.getItem(s, items[0]!.id))).toBeUndefined();
    expect((await db.tx((s) => agenda.updateItem(s, items[1]!.id, { title: 'B2' }))).title).toBe('B2');
  });
});
