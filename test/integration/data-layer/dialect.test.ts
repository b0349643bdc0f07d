/**
 * The engine-specific pieces of the async data layer (server/src/db/dialect.ts, savepoints) on the
 * engine of this run: SQLite in the main suite, PostgreSQL in the second pass (scripts/test-pg.mjs).
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savepoint, txMemo, type Database } from '../../../server/src/db/database.ts';
import { jsonField, lockForTx, nowIso } from '../../../server/src/db/dialect.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

let tdb: TestDatabase;
let db: Database;
let meetingId = 0;

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  await db.run(async ({ q, t }) => {
    const [p] = await q.insert(t.units).values({ level: 'province', code: 'P1', name: 'Tỉnh' }).returning({ id: t.units.id });
    const [m] = await q
      .insert(t.meetings)
      .values({ title: 'Họp', kind: 'conference', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T05:00:00.000Z', chairUnitId: p!.id })
      .returning({ id: t.meetings.id });
    meetingId = m!.id;
  });
});
afterAll(async () => {
  await tdb?.cleanup();
});

describe(`dialect helpers on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('jsonField reads one field of a JSON text column, nested too', async () => {
    const found = await db.run(async (s) => {
      const { q, t } = s;
      await q.insert(t.floorLog).values([
        { meetingId, at: 1, kind: 'requested', details: { who: { name: 'Lan' }, n: 1 } },
        { meetingId, at: 2, kind: 'requested', details: { who: { name: 'Minh' }, n: 2 } },
      ]);
      return q
        .select({ at: t.floorLog.at, name: jsonField(s, t.floorLog.details, ['who', 'name']) })
        .from(t.floorLog)
        .where(eq(jsonField(s, t.floorLog.details, ['who', 'name']), 'Minh'));
    });
    expect(found).toEqual([{ at: 2, name: 'Minh' }]);
  });

  it('nowIso writes the ISO-8601 text the schema defaults write', async () => {
    const [row] = await db.run(async (s) => s.q.select({ now: nowIso(s) }).from(s.t.units).limit(1));
    expect(row!.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(row!.now) - Date.now())).toBeLessThan(60_000);
  });

  it('a savepoint rolls back its own writes alone; the transaction commits the rest', async () => {
    const outcome = await db.tx(async (s) => {
      await s.q.insert(s.t.floorLog).values({ meetingId, at: 10, kind: 'granted', details: { tag: 'kept-before' } });
      const err = await savepoint(s, async (inner) => {
        await inner.q.insert(inner.t.floorLog).values({ meetingId, at: 11, kind: 'granted', details: { tag: 'dropped' } });
        throw new Error('job failed');
      }).catch((e: Error) => e.message);
      const value = await savepoint(s, async (inner) => {
        await inner.q.insert(inner.t.floorLog).values({ meetingId, at: 12, kind: 'granted', details: { tag: 'kept-inside' } });
        return 'ok';
      });
      return { err, value };
    });
    expect(outcome).toEqual({ err: 'job failed', value: 'ok' });
    const tags = await db.run(({ q, t }) => q.select({ d: t.floorLog.details }).from(t.floorLog).where(eq(t.floorLog.kind, 'granted')).orderBy(asc(t.floorLog.at)));
    expect(tags.map((r) => (r.d as { tag: string }).tag)).toEqual(['kept-before', 'kept-inside']);
  });

  it('txMemo: each transaction and savepoint remembers on its own; none outside one; a savepoint makes its transaction forget', async () => {
    expect(await db.run(async (s) => txMemo(s))).toBeNull();
    const seen = await db.tx(async (s) => {
      txMemo(s)!.set('k', 1);
      const inner = await savepoint(s, async (sp) => {
        const fresh = txMemo(sp)!.has('k');
        txMemo(sp)!.set('k', 2);
        return fresh;
      });
      return { inner, after: txMemo(s)!.get('k') };
    });
    expect(seen).toEqual({ inner: false, after: undefined });
    // The next transaction starts with nothing remembered.
    expect(await db.tx(async (s) => txMemo(s)!.size)).toBe(0);
  });

  it('lockForTx refuses outside a transaction (it would release at once) and serialises writers inside', async () => {
    await expect(db.run((s) => lockForTx(s, 'chain'))).rejects.toThrow(/outside a transaction/);
    // Two transactions that read a counter and write it back under the lock: neither loses the other's increment.
    const bump = (at: number) =>
      db.tx(async (s) => {
        await lockForTx(s, `chain:${meetingId}`);
        const rows = await s.q.select({ at: s.t.floorLog.at }).from(s.t.floorLog).where(eq(s.t.floorLog.kind, 'revoked'));
        await s.q.insert(s.t.floorLog).values({ meetingId, at: at + rows.length * 1000, kind: 'revoked', details: { seen: rows.length } });
      });
    await Promise.all([bump(100), bump(200), bump(300)]);
    const seen = await db.run(({ q, t }) => q.select({ d: t.floorLog.details }).from(t.floorLog).where(eq(t.floorLog.kind, 'revoked')));
    expect(seen.map((r) => (r.d as { seen: number }).seen).sort()).toEqual([0, 1, 2]);
  });
});
