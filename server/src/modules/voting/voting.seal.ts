/**
 * The end of a secret poll's sealed phase (see voting.crypto.ts): the boxes
 * are opened and become two lists that are never joined, each written in
 * sorted order so the file's layout says nothing about who voted when.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/index.ts';
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
export function sealSecretPoll(tx: repo.Tx, pollId: number, key: Buffer | null, append: (...payloads: LedgerPayload[]) => void): string[][] {
  if (!key) return [];
  const contents = repo.loadBoxes(tx, pollId).map((box) => openBallot(key, pollId, box));
  const choices = contents.map((c) => c.choices).sort(byChoices);
  const receipts = contents.map((c) => c.receipt).sort();
  repo.insertSealed(tx, pollId, choices, receipts);
  if (choices.length) append(...choices.map((c): LedgerPayload => ({ type: 'sealed', choices: c })));
  append({ type: 'receipts', receipts });
  repo.deleteBoxes(tx, pollId);
  repo.updatePoll(tx, pollId, { ballotKey: null });
  return choices;
}

/**
 * After a secret poll is sealed, copies the WAL into the main file and
 * truncates it: older page images holding the boxes must not linger there.
 * secure_delete (db/index.ts) has already zeroed the freed cells. Runs after
 * the result is on its way: it changes no content.
 */
export function truncateWalSoon(db: Db, log: FastifyBaseLogger, attempt = 0): void {
  // A checkpoint running on the checkpointer's thread (db/checkpointer.ts) makes this one busy: try again shortly.
  setTimeout(() => {
    const sqlite = db.$client;
    if (!sqlite.open) return;
    try {
      const [row] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (!row?.busy) return;
      if (attempt < 50) return truncateWalSoon(db, log, attempt + 1);
      log.warn('truncating the WAL after sealing a secret poll stayed busy');
    } catch (err) {
      log.warn({ err }, 'truncating the WAL after sealing a secret poll failed');
    }
  }, attempt === 0 ? 0 : 50);
}
