/**
 * Group commit on the async data layer (server/src/db/group-commit.ts), on the engine of this
 * run (SQLite in the main suite, PostgreSQL in the second pass): jobs queued in one event-loop turn
 * share one transaction, each settles only after that commit is visible to another connection, a
 * failing job is rolled back alone (also when it failed in SQL, which aborts a PostgreSQL
 * transaction), a failed commit rejects its batch, and a long burst is committed in slices with
 * the event loop running between them. (test/unit/foundation/group-commit.test.ts: the synchronous
 * GroupCommit it replaces.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresDatabase, sqliteDatabase, type Database, type Store } from '../../../server/src/db/database.ts';
import { execute } from '../../../server/src/db/dialect.ts';
import { openDb } from '../../../server/src/db/index.ts';
import { GroupCommit } from '../../../server/src/db/group-commit.ts';
import { constraintKind } from '../../../server/src/lib/db-errors.ts';
import { openTestDatabase } from '../../helpers/database.ts';

// The test's own table, the same on both engines (created with raw SQL below).
const t = sqliteTable('gc_t', { k: integer('k').primaryKey(), v: text('v').notNull() });

interface Fresh {
  db: Database;
  /** Another connection, to see what is committed. */
  reader: Database;
  /** SQLite: commit frames in the WAL so far (one per committed write transaction); null on PostgreSQL. */
  walCommits: () => number | null;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function fresh(): Promise<Fresh> {
  const tdb = await openTestDatabase();
  cleanup.push(() => tdb.cleanup());
  let f: Fresh;
  if (tdb.url) {
    const reader = await postgresDatabase(tdb.url, { max: 1 });
    cleanup.push(() => reader.close());
    f = { db: tdb.database, reader, walCommits: () => null };
  } else {
    // Our own file: its WAL is what counts commits.
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-sgc-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'x.sqlite');
    const db = sqliteDatabase(openDb(file), { owned: true });
    const reader = sqliteDatabase(openDb(file), { owned: true });
    cleanup.push(() => db.close(), () => reader.close());
    f = { db, reader, walCommits: () => walCommitCount(file) };
  }
  await f.db.run((s) => execute(s, sql`create table gc_t (k integer primary key, v text not null)`));
  return f;
}

/** Commit frames in the WAL: one per committed write transaction. */
function walCommitCount(file: string): number {
  if (!existsSync(`${file}-wal`)) return 0;
  const wal = readFileSync(`${file}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  let n = 0;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    if (!wal.subarray(off + 8, off + 16).equals(salt)) break;
    if (wal.readUInt32BE(off + 4) !== 0) n++;
  }
  return n;
}

const insert = async (s: Store, k: number, v = `v${k}`): Promise<void> => void (await s.q.insert(t).values({ k, v }));
const rows = (db: Database) => db.run(async ({ q }) => (await q.select({ k: t.k }).from(t).orderBy(t.k)).map((r) => r.k));
const has = (db: Database, k: number) => db.run(async ({ q }) => (await q.select({ n: count() }).from(t).where(eq(t.k, k)))[0]!.n === 1);

describe('GroupCommit', () => {
  it('writes a burst in one commit, acks after it is visible to another connection, and rolls back only the failing jobs', async () => {
    const { db, reader, walCommits } = await fresh();
    if (walCommits() !== null) await db.run((s) => execute(s, sql`pragma wal_autocheckpoint = 0`));
    // A long slice: the whole burst fits in one batch even on a busy machine.
    const gc = new GroupCommit(db, {}, 60_000);
    const before = walCommits();
    const seenByOther: number[] = [];
    const jobs = Array.from({ length: 200 }, (_, k) =>
      gc
        .submit(async (s) => {
          // Job 7 fails in SQL (a key already taken: on PostgreSQL this aborts the transaction),
          // job 8 in code after writing: neither row may stay, every other must.
          await insert(s, k === 7 ? 3 : k);
          if (k === 8) throw new Error('bad ballot');
          return k;
        })
        .then(async (v) => {
          // By the time a job resolves, another connection sees its row.
          if (await has(reader, v)) seenByOther.push(v);
          return v;
        }),
    );
    const settled = await Promise.allSettled(jobs);
    const rejected = settled.flatMap((r, k) => (r.status === 'rejected' ? [[k, r.reason] as const] : []));
    expect(rejected.map(([k]) => k)).toEqual([7, 8]);
    expect(constraintKind(rejected[0]![1])).toBe('PRIMARYKEY');
    expect((rejected[1]![1] as Error).message).toBe('bad ballot');
    expect(seenByOther).toHaveLength(198);
    expect(await rows(reader)).toEqual(Array.from({ length: 200 }, (_, k) => k).filter((k) => k !== 7 && k !== 8));
    // 200 jobs of one turn: a single commit (the first pass, rolled back, commits nothing).
    expect(gc.commits).toBe(1);
    if (before !== null) expect(walCommits()! - before).toBe(1);
  });

  it('rejects the whole batch when the commit itself fails, and stays usable', async () => {
    const { db, reader } = await fresh();
    // A deferred foreign key makes the COMMIT fail, after every job succeeded.
    await db.run(async (s) => {
      await execute(s, sql`create table gc_p (id integer primary key)`);
      await execute(s, sql`create table gc_c (pid integer references gc_p(id) deferrable initially deferred)`);
    });
    let rolledBack = 0;
    // A long slice: both jobs in one batch even on a busy machine.
    const gc = new GroupCommit(db, { rolledBack: () => rolledBack++ }, 60_000);
    const a = gc.submit((s) => insert(s, 1, 'a'));
    const b = gc.submit((s) => execute(s, sql`insert into gc_c (pid) values (42)`));
    for (const p of [a, b]) expect(constraintKind(await p.then(() => null, (err: unknown) => err))).toBe('FOREIGNKEY');
    expect(rolledBack).toBe(1);
    expect(await rows(reader)).toEqual([]);
    await expect(gc.submit(async (s) => (await insert(s, 2, 'b'), 'done'))).resolves.toBe('done');
    expect(await rows(reader)).toEqual([2]);
  });

  it('commits a long burst in slices, in order, so the event loop runs between them', async () => {
    const { db, reader, walCommits } = await fresh();
    const gc = new GroupCommit(db, {}, 5);
    const spin = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    let timerSaw = -1;
    const order: number[] = [];
    const jobs = Array.from({ length: 20 }, (_, k) =>
      gc.submit(async (s) => {
        if (k === 0) setTimeout(() => void rows(reader).then((r) => (timerSaw = r.length)), 0);
        await insert(s, k);
        order.push(k);
        spin(3);
        return k;
      }),
    );
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    // 3 ms a job and 5 ms a slice: at most two jobs a transaction (fewer when the machine is busy).
    expect(gc.commits).toBeGreaterThanOrEqual(10);
    expect(order).toEqual(Array.from({ length: 20 }, (_, k) => k));
    // A timer set by the first job ran, and read the table, before the burst had all been written: on
    // SQLite between two slices, on PostgreSQL perhaps already while the first awaited the server.
    await new Promise((r) => setTimeout(r, 50));
    expect(timerSaw).toBeGreaterThanOrEqual(walCommits() === null ? 0 : 1);
    expect(timerSaw).toBeLessThan(20);
    expect(await rows(reader)).toHaveLength(20);
  });

  it('settles a job submitted as the previous batch settles, and flush writes everything queued', async () => {
    const { db, reader } = await fresh();
    const gc = new GroupCommit(db);
    // One job at a time, each submitted a few microtasks after the previous one settled (as a caller
    // a few awaits up would): none may be left waiting for a submit that never comes.
    for (let k = 0; k < 30; k++) {
      await gc.submit((s) => insert(s, k));
      for (let hop = 0; hop < k % 6; hop++) await Promise.resolve();
    }
    expect(gc.commits).toBe(30);
    const pending = Array.from({ length: 5 }, (_, k) => gc.submit((s) => insert(s, 100 + k)));
    await gc.flush();
    expect((await rows(reader)).filter((k) => k >= 100)).toEqual([100, 101, 102, 103, 104]);
    await Promise.all(pending);
    // An `after` that throws rejects its own job only; the write stays committed.
    const bad = gc.submit((s) => insert(s, 200), () => {
      throw new Error('after failed');
    });
    const good = gc.submit((s) => insert(s, 201));
    await expect(bad).rejects.toThrow('after failed');
    await good;
    expect((await rows(reader)).filter((k) => k >= 200)).toEqual([200, 201]);
  });
});
