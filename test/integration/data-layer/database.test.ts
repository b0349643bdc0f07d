/**
 * The async repository API (server/src/db/database.ts) on the engine of this run: SQLite in the
 * main suite, PostgreSQL in the second pass (scripts/test-pg.mjs sets DATABASE_URL). Values read
 * back identically, transactions commit or roll back as a whole, writes inside a transaction go
 * through it, nothing from outside lands inside an open one, and constraint errors are told apart
 * by code on both engines.
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Store } from '../../../server/src/db/database.ts';
import { SqliteYieldedInTransaction } from '../../../server/src/db/database.ts';
import { constraintKind } from '../../../server/src/lib/db-errors.ts';
import { toErrorResponse } from '../../../server/src/plugins/errors.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

let tdb: TestDatabase;
let db: Database;
let provinceId = 0;
let userId = 0;
let meetingId = 0;

const thrown = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
};
const unitCount = (code: string) => db.run(async ({ q, t }: Store) => (await q.select({ n: count() }).from(t.units).where(eq(t.units.code, code)))[0]!.n);

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  await db.run(async ({ q, t }) => {
    [{ id: provinceId }] = (await q.insert(t.units).values({ level: 'province', code: 'P1', name: 'Tỉnh Sơn Hà' }).returning({ id: t.units.id })) as [{ id: number }];
    [{ id: userId }] = (await q.insert(t.users).values({ username: 'u1', passwordHash: 'x', fullName: 'Nguyễn Văn A', role: 'delegate', unitId: provinceId }).returning({ id: t.users.id })) as [{ id: number }];
    [{ id: meetingId }] = (await q
      .insert(t.meetings)
      .values({ title: 'Họp', kind: 'conference', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T05:00:00.000Z', chairUnitId: provinceId })
      .returning({ id: t.meetings.id })) as [{ id: number }];
  });
});
afterAll(async () => {
  await tdb?.cleanup();
});

describe(`data layer on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('runs on the engine DATABASE_URL names', () => {
    expect(db.dialect).toBe(pgUrl() ? 'postgres' : 'sqlite');
  });

  it('reads values back as written: ids, booleans, defaults, JSON text, epoch ms, reals, blobs', async () => {
    const big = 1_900_000_000_000; // epoch ms, beyond a 32-bit integer
    const box = Buffer.from([0, 1, 2, 250, 255]);
    const got = await db.run(async ({ q, t }) => {
      const [user] = await q.select().from(t.users).where(eq(t.users.id, userId));
      const [item] = await q.insert(t.agendaItems).values({ meetingId, position: 1, title: 'Mục 1', plannedMinutes: 15 }).returning();
      const [other] = await q.insert(t.agendaItems).values({ meetingId, position: 2, title: 'Mục 2', plannedMinutes: 5, documentIds: [3, 1, 2] }).returning();
      await q.insert(t.floorLog).values({ meetingId, at: big, kind: 'requested', details: { b: 1, a: [true, null, 'ư'] } });
      const [log] = await q.select().from(t.floorLog).where(eq(t.floorLog.meetingId, meetingId));
      await q.insert(t.unitDistances).values({ unitId: provinceId, km: 12.75 });
      const [dist] = await q.select().from(t.unitDistances);
      const [poll] = await q.insert(t.polls).values({ meetingId, title: 'Biểu quyết', spec: { kind: 'yes-no' } as never }).returning();
      await q.insert(t.pollBallotBoxes).values({ id: 2 ** 52 + 7, pollId: poll!.id, tag: 'tag', box });
      const [stored] = await q.select().from(t.pollBallotBoxes);
      return { user: user!, item: item!, other: other!, log: log!, dist: dist!, stored: stored! };
    });
    expect(typeof got.user.id).toBe('number');
    expect(got.user.active).toBe(true);
    expect(got.user.title).toBe('');
    expect(got.user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(got.user.createdAt) - Date.now())).toBeLessThan(10 * 60_000);
    expect(got.item.documentIds).toEqual([]);
    expect(got.other.documentIds).toEqual([3, 1, 2]);
    expect(got.log.at).toBe(big);
    // Key order kept: JSON is stored as text on both engines.
    expect(JSON.stringify(got.log.details)).toBe('{"b":1,"a":[true,null,"ư"]}');
    expect(got.dist.km).toBe(12.75);
    expect(got.stored.id).toBe(2 ** 52 + 7);
    expect(Buffer.compare(Buffer.from(got.stored.box), box)).toBe(0);
  });

  it('commits a transaction as a whole', async () => {
    const n = await db.tx(async ({ q, t }) => {
      await q.insert(t.units).values({ level: 'district', code: 'C1', name: 'a', parentId: provinceId, provinceId });
      await q.insert(t.units).values({ level: 'district', code: 'C1', name: 'b', parentId: provinceId, provinceId }).onConflictDoNothing();
      return (await q.select({ n: count() }).from(t.units).where(eq(t.units.code, 'C1')))[0]!.n;
    });
    expect(n).toBe(1);
    expect(await unitCount('C1')).toBe(1);
  });

  it('rolls back every write of a failed transaction: writes inside go through it', async () => {
    const boom = new Error('boom');
    const seen: number[] = [];
    const err = await thrown(
      db.tx(async (s) => {
        const { q, t } = s;
        await q.insert(t.units).values({ level: 'district', code: 'R1', name: 'a', parentId: provinceId, provinceId });
        await q.update(t.users).set({ fullName: 'changed' }).where(eq(t.users.id, userId));
        seen.push((await q.select({ n: count() }).from(t.units).where(eq(t.units.code, 'R1')))[0]!.n);
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(seen).toEqual([1]);
    expect(await unitCount('R1')).toBe(0);
    const [u] = await db.run(({ q, t }) => q.select().from(t.users).where(eq(t.users.id, userId)));
    expect(u!.fullName).toBe('Nguyễn Văn A');
  });

  it('never shows a reader or another writer a transaction half done', async () => {
    const ROWS = 40;
    const communes = () => db.run(async ({ q, t }) => (await q.select({ n: count() }).from(t.units).where(eq(t.units.level, 'commune')))[0]!.n);
    const readers: Promise<number>[] = [];
    const writer = db.tx(async ({ q, t }) => {
      for (let i = 0; i < ROWS; i++) {
        await q.insert(t.units).values({ level: 'commune', code: `H${i}`, name: `x${i}`, parentId: provinceId, provinceId });
        // Another request's read, issued while the writer is between its awaits (not awaited here, as
        // it would not be by the request that runs the transaction).
        if (i % 8 === 4) readers.push(communes());
      }
    });
    // Each sees none or all of the writer's rows.
    const counts = Promise.all([communes(), ...readers]);
    // A failing transaction alongside rolls back only its own write.
    const failing = thrown(
      db.tx(async ({ q, t }) => {
        await q.insert(t.units).values({ level: 'district', code: 'F1', name: 'f', parentId: provinceId, provinceId });
        await q.insert(t.units).values({ level: 'district', code: 'F1', name: 'dup', parentId: provinceId, provinceId });
      }),
    );
    await writer;
    const seen = await Promise.all([counts, ...readers]).then(([first, ...rest]) => [...first, ...rest]);
    expect(seen.length).toBeGreaterThan(5);
    for (const n of seen) expect([0, ROWS]).toContain(n);
    expect(constraintKind(await failing)).toBe('UNIQUE');
    expect(await db.run(async ({ q, t }) => (await q.select({ n: count() }).from(t.units).where(eq(t.units.level, 'commune')))[0]!.n)).toBe(ROWS);
    expect(await unitCount('F1')).toBe(0);
  });

  describe('constraint errors by code', () => {
    const cases: [string, (s: Store) => Promise<unknown>, string, number][] = [
      ['unique', ({ q, t }) => q.insert(t.units).values({ level: 'province', code: 'P1', name: 'dup' }), 'UNIQUE', 409],
      ['primary key', ({ q, t }) => q.insert(t.units).values({ id: provinceId, level: 'province', code: 'P9', name: 'dup id' }), 'PRIMARYKEY', 409],
      ['composite primary key', ({ q, t }) => q.insert(t.meetingDelegates).values([{ meetingId, userId }, { meetingId, userId }]), 'PRIMARYKEY', 409],
      ['foreign key', ({ q, t }) => q.insert(t.bridgePoints).values({ unitId: 999_999, level: 'provincial', name: 'x', roomName: 'x' }), 'FOREIGNKEY', 409],
      ['not null', ({ q, t }) => q.insert(t.units).values({ level: 'province', code: 'N1', name: null as unknown as string }), 'NOTNULL', 400],
    ];
    for (const [name, write, kind, status] of cases) {
      it(`${name} → ${kind}, ${status}`, async () => {
        const err = await thrown(db.tx(write));
        expect(constraintKind(err)).toBe(kind);
        expect(toErrorResponse(err).status).toBe(status);
      });
    }
  });

  it.runIf(!pgUrl())('SQLite: back-to-back database work lets timers run every few milliseconds, in the order it was queued', async () => {
    const RUNS = 60;
    const order: number[] = [];
    let timerFiredAfter: number | null = null;
    setTimeout(() => (timerFiredAfter = order.length), 0);
    // Each holder keeps the event loop 1 ms (a synchronous statement, a snapshot built): queued together,
    // the mutex would hand over from one to the next in microtasks, and no timer would run until all were done.
    await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        db.run(async () => {
          const until = performance.now() + 1;
          while (performance.now() < until);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: RUNS }, (_, i) => i));
    expect(timerFiredAfter).not.toBeNull();
    expect(timerFiredAfter!).toBeLessThan(RUNS / 2);
  });

  it.runIf(!pgUrl())('SQLite: a transaction that awaits I/O is rolled back, not committed', async () => {
    const err = await thrown(
      db.tx(async ({ q, t }) => {
        await q.insert(t.units).values({ level: 'district', code: 'Y1', name: 'y', parentId: provinceId, provinceId });
        await new Promise((r) => setTimeout(r, 5));
      }),
    );
    expect(err).toBeInstanceOf(SqliteYieldedInTransaction);
    expect(await unitCount('Y1')).toBe(0);
    // The connection is usable afterwards.
    await db.tx(({ q, t }) => q.insert(t.units).values({ level: 'district', code: 'Y2', name: 'y', parentId: provinceId, provinceId }));
    expect(await unitCount('Y2')).toBe(1);
  });
});
