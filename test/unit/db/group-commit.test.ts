/** The async group commit (db/group-commit.ts): no job is left behind, whenever it arrives. */
import { expect, it } from 'vitest';
import { sqliteDatabase } from '../../../server/src/db/database.ts';
import { openDb } from '../../../server/src/db/index.ts';
import { GroupCommit } from '../../../server/src/db/group-commit.ts';

it('writes a job queued in the microtasks right after a batch settled', async () => {
  const database = sqliteDatabase(openDb(':memory:'), { owned: true });
  const batches = new GroupCommit(database);
  const never = Symbol('never settled');
  const outcomes: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    await batches.submit(async () => 'first');
    // As a command handler that awaited something (a few microtasks) before submitting.
    const late = (async () => {
      for (let k = 0; k < i % 8; k++) await null;
      return batches.submit(async () => 'late');
    })();
    outcomes.push(await Promise.race([late, new Promise((r) => setTimeout(() => r(never), 500))]));
  }
  expect(outcomes.filter((o) => o === never)).toHaveLength(0);
  await database.close();
});

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

it('fills each transaction for one slice, whatever the jobs before took', async () => {
  const database = sqliteDatabase(openDb(':memory:'), { owned: true });
  const batches = new GroupCommit(database, {}, 8);
  // A slow job alone (a first command compiling its statements) says nothing about the next ones.
  await batches.submit(async () => busy(60));
  const before = batches.commits;
  await Promise.all(Array.from({ length: 200 }, () => batches.submit(async () => busy(0.1))));
  // 20 ms of work in slices of 8 ms: three transactions, a few more on a busy machine, never one per job.
  expect(batches.commits - before).toBeLessThanOrEqual(8);
  await database.close();
});

it('writes a refused job alone: the others of its transaction still commit, in order', async () => {
  const database = sqliteDatabase(openDb(':memory:'), { owned: true });
  const batches = new GroupCommit(database);
  const written: number[] = [];
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      batches.submit(async () => {
        if (i === 20) throw new Error('refused');
        return i;
      }, (v) => void written.push(v)),
    ),
  );
  expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  expect(written).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 20));
  await database.close();
});

it('lets the event loop run between the transactions of a storm', async () => {
  const database = sqliteDatabase(openDb(':memory:'), { owned: true });
  const batches = new GroupCommit(database, {}, 8);
  let written = 0;
  const storm = Array.from({ length: 200 }, () =>
    batches.submit(async () => {
      busy(0.2);
      written++;
    }),
  );
  // Queued behind the storm's first transaction: it runs once that one has committed, not after all 40 ms.
  const seen = await new Promise<number>((r) => setImmediate(() => r(written)));
  await Promise.all(storm);
  expect(seen).toBeGreaterThan(0);
  expect(seen).toBeLessThan(200);
  await database.close();
});
