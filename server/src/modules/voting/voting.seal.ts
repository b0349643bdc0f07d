/**
 * The end of a secret poll's sealed phase (see voting.crypto.ts): the boxes
 * are opened and become two lists that are never joined, each written in
 * sorted order so the file's layout says nothing about who voted when.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Database, Store } from '../../db/database.ts';
import { execute, selectRaw } from '../../db/dialect.ts';
import { openBallot } from './voting.crypto.ts';
import { byChoices } from './voting.export.ts';
import type { LedgerPayload } from './voting.ledger.ts';
import * as repo from './voting.repo.ts';

/**
 * Inside the closing (or cancelling) transaction: opens the boxes, writes
 * the choices sorted canonically and the receipts sorted, each as its own
 * list (also into the chain), then deletes the boxes and the wrapped key.
 * Returns the sorted choices. `key` null: the poll never held ballots.
 */
export async function sealSecretPoll(s: Store, pollId: number, key: Buffer | null, append: (...payloads: LedgerPayload[]) => Promise<unknown>): Promise<string[][]> {
  if (!key) return [];
  const contents = (await repo.loadBoxes(s, pollId)).map((box) => openBallot(key, pollId, box));
  const choices = contents.map((c) => c.choices).sort(byChoices);
  const receipts = contents.map((c) => c.receipt).sort();
  await repo.insertSealed(s, pollId, choices, receipts);
  await append(...choices.map((c): LedgerPayload => ({ type: 'sealed', choices: c })), { type: 'receipts', receipts });
  await repo.deleteBoxes(s, pollId);
  await repo.updatePoll(s, pollId, { ballotKey: null });
  return choices;
}

/**
 * After a secret poll is sealed, copies SQLite's WAL into the main file and
 * truncates it: older page images holding the boxes must not linger there.
 * secure_delete (db/index.ts) has already zeroed the freed cells. Runs after
 * the result is on its way: it changes no content.
 *
 * PostgreSQL keeps every updated or deleted row version (a voter's flip, a
 * deleted box) in the table until VACUUM, in commit order: there the two
 * tables are rewritten (VACUUM FULL), so their files hold live rows only. Its
 * WAL still holds the changes until its segments are reused; README ("Data
 * layer") says what an operator does about that (no WAL archiving of the
 * voting database).
 */
export function scrubAfterSealing(database: Database, log: FastifyBaseLogger, attempt = 0): void {
  if (database.dialect === 'postgres') {
    // Outside any transaction (VACUUM refuses one); it locks the two tables for the few ms it takes.
    database
      .run((s) => execute(s, sql`vacuum full poll_voters, poll_ballot_boxes`))
      .catch((err: unknown) => log.warn({ err }, 'rewriting the ballot tables after sealing a secret poll failed'));
    return;
  }
  // A checkpoint running on the checkpointer's thread (db/checkpointer.ts) makes this one busy: try again shortly.
  setTimeout(() => {
    database
      .run((s) => selectRaw<{ busy: number }>(s, sql`pragma wal_checkpoint(TRUNCATE)`))
      .then(([row]) => {
        if (!row?.busy) return;
        if (attempt < 50) return scrubAfterSealing(database, log, attempt + 1);
        log.warn('truncating the WAL after sealing a secret poll stayed busy');
      })
      .catch((err: unknown) => log.warn({ err }, 'truncating the WAL after sealing a secret poll failed'));
  }, attempt === 0 ? 0 : 50);
}
