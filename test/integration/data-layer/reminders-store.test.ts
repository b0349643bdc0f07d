/**
 * The reminders module on the async data layer, on the engine of this run (SQLite in the main
 * suite, PostgreSQL in the second pass): the scheduler records each due reminder once per person
 * and offset, shows only the latest after downtime, pushes only what it recorded, retries a failed
 * e-mail, and lists and dismisses per user. (test/integration/reminders covers it through the app.)
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderNotice } from '../../../shared/src/index.ts';
import type { Database } from '../../../server/src/db/database.ts';
import type { MailMessage } from '../../../server/src/plugins/mailer.ts';
import { RemindersService } from '../../../server/src/modules/reminders/reminders.service.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

const MIN = 60_000;
const START = Date.parse('2030-05-20T01:30:00.000Z');
const clock = new Date(START - 30 * MIN);

let tdb: TestDatabase;
let db: Database;
let meetingId = 0;
const ids: Record<string, number> = {};
const pushed: { userId: number; notice: ReminderNotice }[] = [];
const mailed: MailMessage[] = [];
let refuse = new Set<string>();

const realtime = { toUser: (userId: number) => ({ emit: (_e: string, notice: ReminderNotice) => void pushed.push({ userId, notice }) }) } as never;
const mailer = {
  enabled: true,
  send: async (m: MailMessage) => {
    if (refuse.has(String(m.to))) return false;
    mailed.push(m);
    return true;
  },
};
let svc: RemindersService;

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  await db.tx(async ({ q, t }) => {
    const [prov] = await q.insert(t.units).values({ level: 'province', code: 'SH', name: 'Tỉnh Sơn Hà' }).returning();
    const user = async (username: string, email: string | null, active = true) => {
      const [u] = await q.insert(t.users).values({ username, passwordHash: 'x', fullName: `Ông ${username}`, role: 'delegate', unitId: prov!.id, email, active }).returning();
      return (ids[username] = u!.id);
    };
    await user('d1', 'd1@sonha.gov.vn');
    await user('d2', null);
    await user('gone', 'gone@sonha.gov.vn', false);
    await user('op', 'op@sonha.gov.vn');
    const [bp] = await q.insert(t.bridgePoints).values({ unitId: prov!.id, level: 'provincial', name: 'Điểm cầu tỉnh', roomName: 'P1', operatorUserId: ids.op! }).returning();
    const [m] = await q
      .insert(t.meetings)
      .values({ title: 'Kỳ họp thứ 5', kind: 'conference', status: 'scheduled', startsAt: new Date(START).toISOString(), endsAt: new Date(START + 4 * 60 * MIN).toISOString(), chairUnitId: prov!.id })
      .returning();
    meetingId = m!.id;
    // d1 is both a delegate and (below) not the operator; the operator is also invited as a delegate: reminded once.
    await q.insert(t.meetingDelegates).values([{ meetingId, userId: ids.d1! }, { meetingId, userId: ids.d2! }, { meetingId, userId: ids.gone! }, { meetingId, userId: ids.op!, bridgePointId: bp!.id }]);
    await q.insert(t.meetingBridgePoints).values({ meetingId, bridgePointId: bp!.id });
  });
  svc = new RemindersService(db, realtime, mailer, { offsets: [24 * 60, 60], now: () => clock, baseUrl: 'http://192.0.2.10:3000' });
});
afterAll(async () => {
  await svc?.idle();
  await tdb?.cleanup();
});

const rows = () => db.run(({ q, t }) => q.select().from(t.meetingReminders).where(eq(t.meetingReminders.meetingId, meetingId)).orderBy(t.meetingReminders.id));

describe(`reminders on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('after downtime records both due offsets once per active invitee, shows and pushes only the latest', async () => {
    refuse = new Set(['op@sonha.gov.vn']);
    expect(await svc.runDue()).toEqual({ sent: 3, emailed: 1 });
    const all = await rows();
    expect(all.map((r) => [r.userId, r.offsetMinutes, r.shown]).sort()).toEqual(
      [ids.d1, ids.d2, ids.op].flatMap((u) => [[u, 60, true], [u, 1440, false]]).sort() as never,
    );
    expect(pushed.map((p) => p.userId).sort()).toEqual([ids.d1, ids.d2, ids.op].sort());
    expect(pushed[0]!.notice).toMatchObject({ meetingId, meetingTitle: 'Kỳ họp thứ 5', place: 'Tỉnh Sơn Hà', offsetMinutes: 60 });
    expect(mailed.map((m) => m.to)).toEqual(['d1@sonha.gov.vn']);
    const op = all.find((r) => r.userId === ids.op && r.shown)!;
    expect(op).toMatchObject({ emailAttempts: 1, emailedAt: null });
  });

  it('a second run records nothing again and retries only the failed e-mail', async () => {
    refuse = new Set();
    pushed.length = 0;
    expect(await svc.runDue()).toEqual({ sent: 0, emailed: 1 });
    expect(pushed).toEqual([]);
    expect(mailed.map((m) => m.to)).toEqual(['d1@sonha.gov.vn', 'op@sonha.gov.vn']);
    expect(await rows()).toHaveLength(6);
    expect(await svc.runDue()).toEqual({ sent: 0, emailed: 0 });
  });

  it('a moved meeting gets fresh reminders', async () => {
    const moved = new Date(START + 10 * MIN).toISOString();
    await db.run(({ q, t }) => q.update(t.meetings).set({ startsAt: moved }).where(eq(t.meetings.id, meetingId)));
    expect((await svc.runDue()).sent).toBe(3);
    const fresh = await db.run(({ q, t }) => q.select().from(t.meetingReminders).where(and(eq(t.meetingReminders.meetingId, meetingId), eq(t.meetingReminders.startsAt, moved))));
    expect(fresh).toHaveLength(6);
  });

  it('lists a user\'s unseen reminders newest first and dismisses them, within scope', async () => {
    const list = await svc.list(ids.d1!, () => true);
    expect(list.map((n) => n.offsetMinutes)).toEqual([60, 60]);
    expect(list[0]!.id).toBeGreaterThan(list[1]!.id);
    expect(await svc.list(ids.d1!, (m) => m !== meetingId)).toEqual([]);
    await svc.markSeen(ids.d1!, [list[1]!.id], (m) => m !== meetingId); // out of scope: nothing dismissed
    expect(await svc.list(ids.d1!, () => true)).toHaveLength(2);
    await svc.markSeen(ids.d1!, [list[1]!.id], () => true);
    expect((await svc.list(ids.d1!, () => true)).map((n) => n.id)).toEqual([list[0]!.id]);
    await svc.markSeen(ids.d1!, undefined);
    expect(await svc.list(ids.d1!, () => true)).toEqual([]);
    expect(await svc.list(ids.d2!, () => true)).toHaveLength(2);
  });

  it('mails the new-material notice to active invitees with an address', async () => {
    mailed.length = 0;
    const docs = [{ id: 1, title: 'Tờ trình' }] as never;
    const sent = await svc.documentsPublished({ id: meetingId, title: 'Kỳ họp thứ 5' }, new Map([[ids.d1!, docs], [ids.d2!, docs], [ids.gone!, docs]]));
    expect(sent).toBe(1);
    expect(mailed.map((m) => m.to)).toEqual(['d1@sonha.gov.vn']);
  });
});
