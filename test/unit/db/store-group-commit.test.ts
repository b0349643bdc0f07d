/** The async group commit (db/store-group-commit.ts): no job is left behind, whenever it arrives. */
import { expect, it } from 'vitest';
import { sqliteDatabase } from '../../../server/src/db/database.ts';
import { openDb } from '../../../server/src/db/index.ts';
import { StoreGroupCommit } from '../../../server/src/db/store-group-commit.ts';

it('writes a job queued in the microtasks right after a batch settled', async () => {
  const database = sqliteDatabase(openDb(':memory:'), { owned: true });
  const batches = new StoreGroupCommit(database);
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
