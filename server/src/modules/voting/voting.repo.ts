/**
 * Database access for voting. Synchronous (better-sqlite3); writes that must
 * land together are wrapped in one transaction by the service.
 */
import { randomInt } from 'node:crypto';
import { randomRowId } from '../../lib/random-pool.ts';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { users } from '../../db/schema.ts';
import { GENESIS_HASH, nextEntry, type ChainEntry, type ChainHead, type ChainPayload } from './voting.chain.ts';
import { pollBallotBoxes, pollChain, pollOpenBallots, pollReceipts, polls, pollSecretBallots, pollVoters, type PollRow } from './voting.schema.ts';
import { isConstraint } from '../../lib/db-errors.ts';
import { preparedFor } from '../../lib/prepared.ts';

export type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>;

/** A random positive 53-bit id: unguessable and unordered, unlike an autoincrement. */

const isPkClash = (err: unknown) => isConstraint(err, 'PRIMARYKEY');
/** Inserts with `n` fresh random ids, retrying on the (astronomically rare) id collision. */
function withRandomIds<T>(n: number, insert: (ids: number[]) => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return insert(Array.from({ length: n }, randomRowId));
    } catch (err) {
      if (!isPkClash(err) || attempt >= 3) throw err;
    }
  }
}
const withRandomId = <T>(insert: (id: number) => T): T => withRandomIds(1, ([id]) => insert(id!));

export const getPoll = (db: Tx, id: number): PollRow | undefined => db.select().from(polls).where(eq(polls.id, id)).get();

export const listPolls = (db: Tx, meetingId: number): PollRow[] =>
  db.select().from(polls).where(eq(polls.meetingId, meetingId)).orderBy(asc(polls.id)).all();

export const openPolls = (db: Tx): PollRow[] => db.select().from(polls).where(eq(polls.status, 'open')).all();

/** The poll a joining screen should show: the open one, else the latest closed or published one. */
// Read by every meeting:join (the snapshot's poll part): prepared once per connection.
const currentPollOf = preparedFor((db) =>
  db
    .select()
    .from(polls)
    .where(and(eq(polls.meetingId, sql.placeholder('meetingId')), inArray(polls.status, ['open', 'closed', 'published'])))
    .orderBy(desc(eq(polls.status, 'open')), desc(polls.closedAt), desc(polls.id))
    .prepare(),
);

export function currentPoll(db: Db, meetingId: number): PollRow | undefined {
  return currentPollOf(db).get({ meetingId });
}

export function insertPoll(db: Tx, values: Pick<PollRow, 'meetingId' | 'agendaItemId' | 'title' | 'spec' | 'createdBy'>): PollRow {
  return db.insert(polls).values(values).returning().get();
}

export const updatePoll = (db: Tx, id: number, patch: Partial<PollRow>) => db.update(polls).set(patch).where(eq(polls.id, id)).run();

/**
 * The statements a ballot runs, prepared once per connection. A burst of
 * 2,000 ballots is bound by per-ballot cost, and building each query anew
 * through the query builder cost more than executing it. They run on the
 * shared better-sqlite3 connection, so inside a `db.transaction` they are
 * part of that transaction.
 */
function prepareHot(c: Db['$client']) {
  return {
    head: c.prepare<[number], ChainHead>('SELECT seq, hash FROM poll_chain WHERE poll_id = ? ORDER BY seq DESC LIMIT 1'),
    chain: c.prepare('INSERT INTO poll_chain (poll_id, seq, prev_hash, hash, payload) VALUES (?, ?, ?, ?, ?)'),
    voter: c.prepare('INSERT INTO poll_voters (id, poll_id, user_id, voted) VALUES (?, ?, ?, 0)'),
    flip: c.prepare('UPDATE poll_voters SET voted = 1 WHERE poll_id = ? AND user_id = ? AND voted = 0'),
    findBox: c.prepare<[number, string], { id: number; box: Buffer }>('SELECT id, box FROM poll_ballot_boxes WHERE poll_id = ? AND tag = ?'),
    insertBox: c.prepare('INSERT INTO poll_ballot_boxes (id, poll_id, tag, box) VALUES (?, ?, ?, ?)'),
    updateBox: c.prepare('UPDATE poll_ballot_boxes SET box = ? WHERE id = ?'),
    open: c.prepare('INSERT INTO poll_open_ballots (poll_id, user_id, choices, cast_at, ballot_id) VALUES (?, ?, ?, ?, ?)'),
  };
}
const hotCache = new WeakMap<Db['$client'], ReturnType<typeof prepareHot>>();
function hot(db: Db) {
  let s = hotCache.get(db.$client);
  if (!s) hotCache.set(db.$client, (s = prepareHot(db.$client)));
  return s;
}

/** The last entry of a poll's chain (one primary-key lookup), or null when empty. */
export const chainHead = (db: Db, pollId: number): ChainHead | null => hot(db).head.get(pollId) ?? null;

/** Hash of the chain's last entry (the genesis hash for an empty chain). */
export const headHash = (db: Db, pollId: number): string => chainHead(db, pollId)?.hash ?? GENESIS_HASH;

/** Appends entries after the current head; call inside the transaction that makes the change. Returns the last. */
export function appendChain(db: Db, pollId: number, ...payloads: ChainPayload[]): ChainEntry {
  let head: ChainHead | null = chainHead(db, pollId);
  let entry: ChainEntry | null = null;
  for (const payload of payloads) {
    entry = nextEntry(head, payload);
    hot(db).chain.run(pollId, entry.seq, entry.prevHash, entry.hash, JSON.stringify(entry.payload));
    head = entry;
  }
  if (!entry) throw new Error('nothing to append');
  return entry;
}

export const loadChain = (db: Tx, pollId: number): ChainEntry[] =>
  db
    .select({ seq: pollChain.seq, prevHash: pollChain.prevHash, hash: pollChain.hash, payload: pollChain.payload })
    .from(pollChain)
    .where(eq(pollChain.pollId, pollId))
    .orderBy(asc(pollChain.seq))
    .all();

/** Fisher-Yates with a CSPRNG: the order voter rows are written in must say nothing. */
export function shuffled<T>(items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** At open: one not-yet-voted row per eligible delegate, in random order with random ids. */
export function insertVoters(db: Db, pollId: number, userIds: readonly number[]): void {
  for (const userId of shuffled(userIds)) withRandomId((id) => hot(db).voter.run(id, pollId, userId));
}

/** Marks `userId` as having voted, in place. False when they already had (or were not eligible). */
export const flipVoter = (db: Db, pollId: number, userId: number): boolean => hot(db).flip.run(pollId, userId).changes === 1;

export const loadVoterIds = (db: Tx, pollId: number): number[] =>
  db
    .select({ u: pollVoters.userId })
    .from(pollVoters)
    .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.voted, 1)))
    .all()
    .map((r) => r.u);

export const findBox = (db: Db, pollId: number, tag: string) => hot(db).findBox.get(pollId, tag);
export const insertBox = (db: Db, pollId: number, tag: string, box: Buffer) => withRandomId((id) => hot(db).insertBox.run(id, pollId, tag, box));
export const updateBox = (db: Db, id: number, box: Buffer) => hot(db).updateBox.run(box, id);
export const loadBoxes = (db: Tx, pollId: number): Buffer[] =>
  db.select({ box: pollBallotBoxes.box }).from(pollBallotBoxes).where(eq(pollBallotBoxes.pollId, pollId)).all().map((r) => r.box);
export const deleteBoxes = (db: Tx, pollId: number) => db.delete(pollBallotBoxes).where(eq(pollBallotBoxes.pollId, pollId)).run();

/** Writes a sealed secret poll: choices and receipts as two lists, each already sorted by the caller. */
export function insertSealed(db: Tx, pollId: number, choices: readonly string[][], receipts: readonly string[]): void {
  // 500 rows a statement: building one query per ballot was most of a 2,000-ballot close. A clash
  // rolls back just the failed statement (SQLite's statement journal), so the chunk is retried whole.
  for (let i = 0; i < choices.length; i += 500) {
    const chunk = choices.slice(i, i + 500);
    withRandomIds(chunk.length, (ids) => db.insert(pollSecretBallots).values(chunk.map((c, j) => ({ id: ids[j]!, pollId, choices: c }))).run());
  }
  for (let i = 0; i < receipts.length; i += 500) {
    db.insert(pollReceipts).values(receipts.slice(i, i + 500).map((receipt) => ({ pollId, receipt }))).run();
  }
}

export const loadSecretBallots = (db: Tx, pollId: number) =>
  db.select({ choices: pollSecretBallots.choices }).from(pollSecretBallots).where(eq(pollSecretBallots.pollId, pollId)).all();

export const loadReceipts = (db: Tx, pollId: number): string[] =>
  db.select({ r: pollReceipts.receipt }).from(pollReceipts).where(eq(pollReceipts.pollId, pollId)).orderBy(asc(pollReceipts.receipt)).all().map((r) => r.r);

export const hasReceipt = (db: Tx, pollId: number, receipt: string): boolean =>
  db.select({ r: pollReceipts.receipt }).from(pollReceipts).where(and(eq(pollReceipts.pollId, pollId), eq(pollReceipts.receipt, receipt))).get() !== undefined;

export const findOpenBallot = (db: Tx, pollId: number, userId: number) =>
  db
    .select({ choices: pollOpenBallots.choices, ballotId: pollOpenBallots.ballotId })
    .from(pollOpenBallots)
    .where(and(eq(pollOpenBallots.pollId, pollId), eq(pollOpenBallots.userId, userId)))
    .get();

export const insertOpenBallot = (db: Db, pollId: number, userId: number, choices: string[], castAt: number, ballotId: string) =>
  hot(db).open.run(pollId, userId, JSON.stringify(choices), castAt, ballotId);

export const updateOpenBallot = (db: Tx, pollId: number, userId: number, choices: string[], castAt: number, ballotId: string) =>
  db
    .update(pollOpenBallots)
    .set({ choices, castAt, ballotId })
    .where(and(eq(pollOpenBallots.pollId, pollId), eq(pollOpenBallots.userId, userId)))
    .run();

export const loadOpenBallots = (db: Tx, pollId: number) =>
  db
    .select({ voterId: pollOpenBallots.userId, choices: pollOpenBallots.choices, fullName: users.fullName })
    .from(pollOpenBallots)
    .innerJoin(users, eq(users.id, pollOpenBallots.userId))
    .where(eq(pollOpenBallots.pollId, pollId))
    .orderBy(asc(users.fullName), asc(pollOpenBallots.userId))
    .all();
