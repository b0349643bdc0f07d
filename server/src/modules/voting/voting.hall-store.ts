/**
 * Hall counts in the database and in the live mirror, and the service step
 * that enters one (the rules are in voting.hall.ts). Kept beside the voting
 * service so the service stays about the poll lifecycle.
 */
import { and, count, eq, inArray } from 'drizzle-orm';
import type { HallCountEntry, HallCountInfo } from '@diemcau/shared';
import type { LedgerPayload } from './voting.ledger.ts';
import type { LivePoll } from './voting.live.ts';
import { assertPhoneVoteFits, checkHallCount, hallVotes, type HallTally } from './voting.hall.ts';
import type { Tx } from './voting.repo.ts';
import { pollHallCounts, pollVoters, type HallCountRow } from './voting.schema.ts';
import { iso, rules } from './voting.views.ts';

export const loadHalls = (db: Tx, pollId: number): HallCountRow[] =>
  db.select().from(pollHallCounts).where(eq(pollHallCounts.pollId, pollId)).orderBy(pollHallCounts.bridgePointId).all();

export const hallTallies = (rows: readonly HallCountRow[]): HallTally[] =>
  rows.map((r) => ({ bridgePointId: r.bridgePointId, present: r.present, counts: r.counts }));

/** Delegates seated at `bridgePointId` in the poll's frozen eligible list. */
export const seatedAt = (live: Pick<LivePoll, 'eligible'>, bridgePointId: number): number[] =>
  live.eligible.filter((v) => v.bridgePointId === bridgePointId).map((v) => v.userId);

/** How many of `userIds` have voted by phone, read in the caller's transaction (so a batch sees its own earlier casts). */
export function phoneVotersAt(db: Tx, pollId: number, userIds: readonly number[]): number {
  if (!userIds.length) return 0;
  return (
    db
      .select({ n: count() })
      .from(pollVoters)
      .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.voted, 1), inArray(pollVoters.userId, [...userIds])))
      .get()?.n ?? 0
  );
}

/** The contract view of a hall count; `voted` are the poll's phone voters. */
export function hallInfo(pollId: number, row: HallCountRow, phoneVoters: number): HallCountInfo {
  return {
    pollId,
    bridgePointId: row.bridgePointId,
    present: row.present,
    counts: row.counts,
    votes: hallVotes(row.counts),
    phoneVoters,
    enteredAt: iso(row.enteredAt)!,
  };
}

/** Every standing hall count of a poll, with each hall's phone voters from `voted`. */
export function hallInfos(pollId: number, rows: readonly HallCountRow[], eligible: LivePoll['eligible'], voted: ReadonlySet<number>): HallCountInfo[] {
  return rows.map((r) => hallInfo(pollId, r, seatedAt({ eligible }, r.bridgePointId).filter((u) => voted.has(u)).length));
}

/**
 * Validates, stores, chains and audits one hall count inside the caller's
 * transaction. The phone ballots already received must have been committed
 * first (the service flushes the group commit), so `live.voted` is complete.
 */
export function writeHallCount(
  db: Tx,
  live: LivePoll,
  bridgePointId: number,
  entry: HallCountEntry,
  actorId: number,
  now: number,
  append: (p: LedgerPayload) => void,
  audit: (details: unknown) => void,
): HallCountInfo {
  const seated = seatedAt(live, bridgePointId);
  const phoneVoters = seated.filter((u) => live.voted.has(u)).length;
  const counts = checkHallCount(live.spec, entry, { delegates: seated.length, phoneVoters });
  const replaced = live.halls.has(bridgePointId);
  const values = { pollId: live.id, bridgePointId, present: entry.present, counts, enteredBy: actorId, enteredAt: now };
  const row = db
    .insert(pollHallCounts)
    .values(values)
    .onConflictDoUpdate({ target: [pollHallCounts.pollId, pollHallCounts.bridgePointId], set: values })
    .returning()
    .get();
  append({ type: 'hall_count', bridgePointId, present: entry.present, counts, by: actorId, at: iso(now)!, replaces: replaced });
  audit({ bridgePointId, present: entry.present, counts, replaced });
  return hallInfo(live.id, row, phoneVoters);
}

/**
 * The guard a phone cast runs when its delegate votes for the first time,
 * inside its savepoint: refused if their hall's standing count leaves no room
 * for one more voter. Null when the delegate's hall has no count.
 */
export function phoneVoteGuard(db: Tx, live: LivePoll, userId: number): (() => void) | null {
  const seat = live.seats.get(userId) ?? null;
  if (seat === null) return null;
  return () => {
    // Read at write time: a hall count entered after the cast arrived still applies.
    const hall = live.halls.get(seat);
    if (hall) rules(() => assertPhoneVoteFits(hall, phoneVotersAt(db, live.id, seatedAt(live, seat))));
  };
}
