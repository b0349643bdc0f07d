/**
 * What one ballot writes, inside its group commit (db/group-commit.ts).
 * Decisions read the database, not the in-memory mirror, so two casts of one
 * delegate in the same batch see each other.
 *
 * Idempotency: the device sends a random `ballotId` with every cast and keeps
 * it. A retry (lost ack, reconnect, server killed after commit) with the same
 * id and choices gets the original answer back, receipt included, instead of
 * ALREADY_VOTED.
 *
 * Changing a secret ballot: ownership is proven by the ballot id, which only
 * the voter's device knows (the server keeps only HMAC(K, id) as the box's
 * tag), together with a session of a delegate who has voted. The receipt no
 * longer proves anything: it is published, so it must not be a key.
 */
import { AppError } from '../../lib/app-error.ts';
import { isConstraint } from '../../lib/db-errors.ts';
import type { Store } from '../../db/database.ts';
import { ballotReceipt, ballotTag, boxLength, openBallot, sealBallot } from './voting.crypto.ts';
import type { LedgerPayload } from './voting.ledger.ts';
import * as repo from './voting.repo.ts';
import type { PollSpec } from './voting.rules.ts';

export interface CastInput {
  pollId: number;
  spec: PollSpec;
  userId: number;
  ballotId: string;
  ballot: string[];
  now: number;
  /** Runs when the delegate votes for the first time, in the cast's transaction: throwing refuses the ballot (voting.hall.ts). */
  firstVote?: ((s: Store) => Promise<void>) | null;
}

export interface CastOutcome {
  receipt: string | null;
  changed: boolean;
  /** Whether this cast changed anything (false for a replayed retry). */
  wrote: boolean;
  /** Open ballots: the choices this one replaced, for the running tally. */
  before: string[] | null;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const alreadyVoted = () => new AppError('ALREADY_VOTED', 409, 'You have already voted in this poll');

/** Appends the cast's entry to the poll's chain; POLL_CLOSED (the cast rolled back) once the poll has closed. */
async function append(s: Store, c: CastInput, payload: LedgerPayload): Promise<void> {
  if (!(await repo.appendBallot(s, c.pollId, payload))) throw new AppError('POLL_CLOSED', 409, 'The poll is closed');
}

export async function writeSecretCast(s: Store, c: CastInput, key: Buffer): Promise<CastOutcome> {
  const tag = ballotTag(key, c.ballotId);
  const receipt = ballotReceipt(key, c.ballotId);
  const box = () => sealBallot(key, c.pollId, { choices: c.ballot, receipt }, boxLength(c.spec.options.map((o) => o.id)));
  if (await repo.flipVoter(s, c.pollId, c.userId)) {
    // A first vote (nearly every cast) needs no lookup: a ballot id already used meets the UNIQUE
    // (poll, tag) index, and the group commit rolls this cast back alone.
    try {
      await repo.insertBox(s, c.pollId, tag, box());
    } catch (err) {
      if (isConstraint(err, 'UNIQUE')) throw new AppError('VALIDATION_FAILED', 400, 'This ballot id was already used; the device must make a new one');
      throw err;
    }
    await append(s, c, { type: 'cast', replaces: false });
    return { receipt, changed: false, wrote: true, before: null };
  }
  const existing = await repo.findBox(s, c.pollId, tag);
  if (!existing) throw alreadyVoted();
  const old = openBallot(key, c.pollId, existing.box);
  if (same(old.choices, c.ballot)) return { receipt, changed: false, wrote: false, before: null };
  if (!c.spec.allowChange) throw alreadyVoted();
  // Same length as before, so SQLite rewrites the cell in place.
  await repo.updateBox(s, existing.id, box());
  await append(s, c, { type: 'cast', replaces: true });
  return { receipt, changed: true, wrote: true, before: null };
}

export async function writeOpenCast(s: Store, c: CastInput): Promise<CastOutcome> {
  if (await repo.flipVoter(s, c.pollId, c.userId)) {
    await c.firstVote?.(s);
    await repo.insertOpenBallot(s, c.pollId, c.userId, c.ballot, c.now, c.ballotId);
    await append(s, c, { type: 'ballot', voterId: c.userId, choices: c.ballot, replaces: false });
    return { receipt: null, changed: false, wrote: true, before: null };
  }
  const old = await repo.findOpenBallot(s, c.pollId, c.userId);
  if (!old) throw alreadyVoted();
  if (old.ballotId === c.ballotId && same(old.choices, c.ballot)) return { receipt: null, changed: false, wrote: false, before: null };
  if (!c.spec.allowChange) throw alreadyVoted();
  await repo.updateOpenBallot(s, c.pollId, c.userId, c.ballot, c.now, c.ballotId);
  await append(s, c, { type: 'ballot', voterId: c.userId, choices: c.ballot, replaces: true });
  return { receipt: null, changed: true, wrote: true, before: old.choices };
}
