/**
 * Hall counts in the database and in the live mirror, and the service step
 * that enters one (the rules are in voting.hall.ts). Kept beside the voting
 * service so the service stays about the poll lifecycle.
 */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { HallCountEntry, HallCountInfo } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import type { LedgerPayload } from './voting.ledger.ts';
import type { LivePoll } from './voting.live.ts';
import { assertPhoneVoteFits, checkHallCount, hallVotes, type HallTally } from './voting.hall.ts';
import { hot } from '../../db/dialect.ts';
import { ph } from './voting.repo.ts';
import type { HallCountRow } from './voting.schema.ts';
import { iso, rules } from './voting.views.ts';

export const loadHalls = ({ q, t }: Store, pollId: number): Promise<HallCountRow[]> =>
  q.select().from(t.pollHallCounts).where(eq(t.pollHallCounts.pollId, pollId)).orderBy(asc(t.pollHallCounts.bridgePointId));

/** One hall's standing count, read in the caller's transaction (a phone cast's guard reads it: a hot statement). */
const hallOfQuery = hot(({ q, t: { pollHallCounts: h } }) => q.select().from(h).where(and(eq(h.pollId, ph('pollId')), eq(h.bridgePointId, ph('bridgePointId')))));
const hallOf = async (s: Store, pollId: number, bridgePointId: number): Promise<HallCountRow | undefined> => (await hallOfQuery(s, { pollId, bridgePointId }))[0];

export const hallTallies = (rows: readonly HallCountRow[]): HallTally[] =>
  rows.map((r) => ({ bridgePointId: r.bridgePointId, present: r.present, counts: r.counts }));

/** Delegates seated at `bridgePointId` in the poll's frozen eligible list. */
export const seatedAt = (live: Pick<LivePoll, 'eligible'>, bridgePointId: number): number[] =>
  live.eligible.filter((v) => v.bridgePointId === bridgePointId).map((v) => v.userId);

/** How many of `userIds` have voted by phone, read in the caller's transaction (so a batch sees its own earlier casts). */
export async function phoneVotersAt({ q, t }: Store, pollId: number, userIds: readonly number[]): Promise<number> {
  if (!userIds.length) return 0;
  const { pollVoters } = t;
  const [row] = await q
    .select({ n: count() })
    .from(pollVoters)
    .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.voted, 1), inArray(pollVoters.userId, [...userIds])));
  return row?.n ?? 0;
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
 * Validates, stores, chains and audits one hall count inside the caller's transaction, which holds
 * the poll's chain lock: the hall's phone voters and its standing count are read there, so a cast
 * committed just before (here or on another node) is counted.
 */
export async function writeHallCount(
  s: Store,
  live: LivePoll,
  bridgePointId: number,
  entry: HallCountEntry,
  actorId: number,
  now: number,
  append: (p: LedgerPayload) => Promise<unknown>,
  audit: (details: unknown) => Promise<void>,
): Promise<HallCountInfo> {
  const seated = seatedAt(live, bridgePointId);
  const phoneVoters = await phoneVotersAt(s, live.id, seated);
  const counts = rules(() => checkHallCount(live.spec, entry, { delegates: seated.length, phoneVoters }));
  const replaced = (await hallOf(s, live.id, bridgePointId)) !== undefined;
  const { pollHallCounts: h } = s.t;
  const values = { pollId: live.id, bridgePointId, present: entry.present, counts, enteredBy: actorId, enteredAt: now };
  const [row] = await s.q
    .insert(h)
    .values(values)
    .onConflictDoUpdate({ target: [h.pollId, h.bridgePointId], set: values })
    .returning();
  await append({ type: 'hall_count', bridgePointId, present: entry.present, counts, by: actorId, at: iso(now)!, replaces: replaced });
  await audit({ bridgePointId, present: entry.present, counts, replaced });
  return hallInfo(live.id, row!, phoneVoters);
}

/**
 * The guard a phone cast runs when its delegate votes for the first time, in the cast's
 * transaction: refused if their hall's standing count leaves no room for one more voter. Null when
 * the delegate sits at no hall. The count is read there, not from the mirror, which learns of a
 * count only after its commit: a cast batched right after it still sees it.
 */
export function phoneVoteGuard(live: LivePoll, userId: number): ((s: Store) => Promise<void>) | null {
  const seat = live.seats.get(userId) ?? null;
  if (seat === null) return null;
  return async (s) => {
    const hall = await hallOf(s, live.id, seat);
    if (!hall) return;
    const phoneVoters = await phoneVotersAt(s, live.id, seatedAt(live, seat));
    rules(() => assertPhoneVoteFits(hall, phoneVoters));
  };
}
