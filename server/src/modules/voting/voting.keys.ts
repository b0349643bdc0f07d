/**
 * The ballot keys of the open secret polls this node runs (voting.crypto.ts): held in memory while
 * the poll is open and stored only wrapped under APP_SECRET, so that after a restart or a takeover
 * the key is unwrapped from the row and the poll can still be sealed. Apart from the service
 * (voting.service.ts) so that it stays about running commands.
 */
import type { FastifyBaseLogger } from 'fastify';
import { newBallotKey, unwrapBallotKey, wrapBallotKey } from './voting.crypto.ts';
import type { PollSpec } from './voting.rules.ts';
import type { PollRow } from './voting.schema.ts';

export class BallotKeys {
  /** Ballot keys of open secret polls; never written to the database unwrapped. */
  readonly #keys = new Map<number, Buffer>();
  /** APP_SECRET: wraps each secret poll's ballot key. */
  readonly #secret: string;
  readonly #log: FastifyBaseLogger;

  constructor(secret: string, log: FastifyBaseLogger) {
    this.#secret = secret;
    this.#log = log;
  }

  /** A fresh key for a secret poll about to open, and its wrapped form for the row; none for an open one. */
  mint(pollId: number, mode: PollSpec['mode']): { key: Buffer | null; wrapped: string | null } {
    const key = mode === 'secret' ? newBallotKey() : null;
    const wrapped = key ? wrapBallotKey(this.#secret, pollId, key) : null;
    return { key, wrapped };
  }

  /** Holds the key of a poll whose opening committed. */
  keep(pollId: number, key: Buffer | null): void {
    if (key) this.#keys.set(pollId, key);
  }

  get = (pollId: number): Buffer | undefined => this.#keys.get(pollId);

  /** The ballot key of a secret poll: from memory, else unwrapped from the row (after a restart). */
  readonly of = (row: PollRow): Buffer | null => {
    const key = this.#keys.get(row.id);
    if (key) return key;
    if (!row.ballotKey) return null;
    return unwrapBallotKey(this.#secret, row.id, row.ballotKey);
  };

  /** Holds again the key of a poll found open after a start (or a takeover). */
  recover(row: PollRow): void {
    try {
      const key = this.of(row);
      if (key) this.#keys.set(row.id, key);
    } catch (err) {
      // APP_SECRET changed while the poll was open: its ballots cannot be opened any more.
      this.#log.error({ err, pollId: row.id }, 'cannot unwrap the ballot key of an open secret poll');
    }
  }

  forget(pollId: number): void {
    this.#keys.delete(pollId);
  }

  clear(): void {
    this.#keys.clear();
  }
}
