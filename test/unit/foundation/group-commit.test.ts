/**
 * Group commit: casts queued in one event-loop turn share one transaction
 * (one WAL commit), each acked only after that commit is visible to another
 * connection, and a failing cast is rolled back alone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../server/src/db/index.ts';
import { GroupCommit } from '../../../server/src/db/group-commit.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-gc-'));
  dirs.push(dir);
  const file = join(dir, 'x.sqlite');
  const db = openDb(file);
  const reader = openDb(file);
  dbs.push(db, reader);
  db.$client.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { db, reader, file };
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

describe('GroupCommit', () => {
  it('writes a burst in one commit, acks after it is durable, and rolls back only the failing job', async () => {
    const { db, reader, file } = fresh();
    db.$client.pragma('wal_autocheckpoint = 0');
    // A long slice: the whole burst fits in one batch even on a busy machine.
    const gc = new GroupCommit(db, {}, 60_000);
    const insert = db.$client.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const before = walCommitCount(file);
    const seenByOther: number[] = [];
    const jobs = Array.from({ length: 200 }, (_, k) =>
      gc.submit(
        () => {
          insert.run(k, `v${k}`);
          if (k === 7) throw new Error('bad ballot'); // after writing: its row must be rolled back
          return k;
        },
        () => {},
      ).then((v) => {
        // By the time a job resolves, another connection sees its row.
        if ((reader.$client.prepare('SELECT count(*) AS n FROM t WHERE k = ?').get(v) as { n: number }).n === 1) seenByOther.push(v);
        return v;
      }),
    );
    const settled = await Promise.allSettled(jobs);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect((settled[7] as PromiseRejectedResult).reason.message).toBe('bad ballot');
    expect(seenByOther).toHaveLength(199);
    expect((reader.$client.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(199);
    expect(reader.$client.prepare('SELECT k FROM t WHERE k = 7').get()).toBeUndefined();
    // 200 jobs of one turn: a single commit (the old code made one per ballot).
    expect(walCommitCount(file) - before).toBe(1);
  });

  it('rejects the whole batch when the commit itself fails, and stays usable', async () => {
    const { db, reader } = fresh();
    // A long slice: both jobs in one batch even on a busy machine.
    const gc = new GroupCommit(db, {}, 60_000);
    // A deferred foreign key makes the COMMIT fail, after every job succeeded.
    db.$client.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)');
    const a = gc.submit(() => db.$client.prepare('INSERT INTO t (k, v) VALUES (1, ?)').run('a'));
    const b = gc.submit(() => db.$client.prepare('INSERT INTO c (pid) VALUES (42)').run());
    await expect(a).rejects.toThrow(/FOREIGN KEY/);
    await expect(b).rejects.toThrow(/FOREIGN KEY/);
    expect((reader.$client.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(0);
    await expect(gc.submit(() => db.$client.prepare('INSERT INTO t (k, v) VALUES (2, ?)').run('b').changes)).resolves.toBe(1);
  });

  it('commits a long burst in slices, in order, so the event loop runs between them', async () => {
    const { db, reader } = fresh();
    const gc = new GroupCommit(db, {}, 5);
    const insert = db.$client.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const spin = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    let timerRan = -1;
    const jobs = Array.from({ length: 20 }, (_, k) =>
      gc.submit(() => {
        if (k === 0) setTimeout(() => (timerRan = (reader.$client.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n), 0);
        insert.run(k, `v${k}`);
        spin(3);
        return k;
      }),
    );
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    // 3 ms a job and 5 ms a slice: at most two jobs a transaction (fewer when the machine is busy).
    expect(gc.commits).toBeGreaterThanOrEqual(10);
    // A timer set by the first job ran before the burst had all been written.
    expect(timerRan).toBeGreaterThan(0);
    expect(timerRan).toBeLessThan(20);
    expect(reader.$client.prepare('SELECT k FROM t ORDER BY rowid').all()).toEqual(Array.from({ length: 20 }, (_, k) => ({ k })));
  });
});
