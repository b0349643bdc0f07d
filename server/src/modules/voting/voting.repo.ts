/**
 * Database access for voting. Synchronous (better-sqlite3); writes that must
 * land together are wrapped in one transaction by the service.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { users } from '../../db/schema.ts';
import { GENESIS_HASH, nextEntry, type ChainEntry, type ChainHead, type ChainPayload } from './voting.chain.ts';
import { pollChain, pollOpenBallots, polls, pollSecretBallots, pollVoters, type PollRow } from './voting.schema.ts';
import { isConstraint } from '../../lib/db-errors.ts';

export type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>;

/** A random positive 53-bit id: unguessable and unordered, unlike an autoincrement. */
export function randomId(): number {
  return Number(randomBytes(8).readBigUInt64BE() >> 11n) || 1;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A 60-bit receipt code like `K7QM-2XD4-R9TB`, easy to read aloud and type. */
export function receiptCode(): string {
  const chars = Array.from({ length: 12 }, () => CROCKFORD[randomInt(32)]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

const isPkClash = (err: unknown) => isConstraint(err, 'PRIMARYKEY');
/** Inserts with a fresh random id, retrying on the (astronomically rare) id collision. */
function withRandomId<T>(insert: (id: number) => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return insert(randomId());
    } catch (err) {
      if (!isPkClash(err) || attempt >= 3) throw err;
    }
  }
}

export const getPoll = (db: Tx, id: number): PollRow | undefined => db.select().from(polls).where(eq(polls.id, id)).get();

export const listPolls = (db: Tx, meetingId: number): PollRow[] =>
  db.select().from(polls).where(eq(polls.meetingId, meetingId)).orderBy(asc(polls.id)).all();

export const openPolls = (db: Tx): PollRow[] => db.select().from(polls).where(eq(polls.status, 'open')).all();

/** The poll a joining screen should show: the open one, else the latest closed or published one. */
export function currentPoll(db: Tx, meetingId: number): PollRow | undefined {
  return db
    .select()
    .from(polls)
    .where(and(eq(polls.meetingId, meetingId), inArray(polls.status, ['open', 'closed', 'published'])))
    .orderBy(desc(eq(polls.status, 'open')), desc(polls.closedAt), desc(polls.id))
    .get();
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
    voter: c.prepare('INSERT INTO poll_voters (id, poll_id, user_id) VALUES (?, ?, ?)'),
    secret: c.prepare('INSERT INTO poll_secret_ballots (id, poll_id, choices, receipt) VALUES (?, ?, ?, ?)'),
    open: c.prepare('INSERT INTO poll_open_ballots (poll_id, user_id, choices, cast_at) VALUES (?, ?, ?, ?)'),
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

/** Records that `userId` voted. Throws on a second ballot: the UNIQUE index is the real guard. */
export const insertVoter = (db: Db, pollId: number, userId: number) => withRandomId((id) => hot(db).voter.run(id, pollId, userId));

// The id is the primary key, so the only UNIQUE index on poll_voters is (poll_id, user_id).
export const isUniqueVoterClash = (err: unknown) => isConstraint(err, 'UNIQUE');

export const loadVoterIds = (db: Tx, pollId: number): number[] =>
  db.select({ u: pollVoters.userId }).from(pollVoters).where(eq(pollVoters.pollId, pollId)).all().map((r) => r.u);

/** Stores an anonymous ballot under a fresh receipt; returns the receipt. */
export function insertSecretBallot(db: Db, pollId: number, choices: string[]): string {
  for (let attempt = 0; ; attempt++) {
    const receipt = receiptCode();
    try {
      withRandomId((id) => hot(db).secret.run(id, pollId, JSON.stringify(choices), receipt));
      return receipt;
    } catch (err) {
      // The id is retried inside withRandomId, so a UNIQUE clash here is the (poll_id, receipt) index.
      if (!isConstraint(err, 'UNIQUE') || attempt >= 3) throw err;
    }
  }
}

export const findSecretBallot = (db: Tx, pollId: number, receipt: string) =>
  db.select().from(pollSecretBallots).where(and(eq(pollSecretBallots.pollId, pollId), eq(pollSecretBallots.receipt, receipt))).get();

export const updateSecretBallot = (db: Tx, id: number, choices: string[]) =>
  db.update(pollSecretBallots).set({ choices }).where(eq(pollSecretBallots.id, id)).run();

export const loadSecretBallots = (db: Tx, pollId: number) =>
  db
    .select({ id: pollSecretBallots.id, receipt: pollSecretBallots.receipt, choices: pollSecretBallots.choices })
    .from(pollSecretBallots)
    .where(eq(pollSecretBallots.pollId, pollId))
    .orderBy(asc(pollSecretBallots.id))
    .all();

export const insertOpenBallot = (db: Db, pollId: number, userId: number, choices: string[], castAt: number) =>
  hot(db).open.run(pollId, userId, JSON.stringify(choices), castAt);

export const updateOpenBallot = (db: Tx, pollId: number, userId: number, choices: string[], castAt: number) =>
  db
    .update(pollOpenBallots)
    .set({ choices, castAt })
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

/**
 * Rewrites a secret poll's voter and ballot rows in id order. Inside a
 * SQLite page, cells are laid out in the order they were inserted; rewriting
 * them (with secure_delete on, so the old cells are zeroed) removes that
 * last trace of which ballot arrived when.
 */
export function rewriteSecretRows(db: Tx, pollId: number): void {
  const voters = db.select().from(pollVoters).where(eq(pollVoters.pollId, pollId)).orderBy(asc(pollVoters.id)).all();
  const ballots = db.select().from(pollSecretBallots).where(eq(pollSecretBallots.pollId, pollId)).orderBy(asc(pollSecretBallots.id)).all();
  db.delete(pollVoters).where(eq(pollVoters.pollId, pollId)).run();
  db.delete(pollSecretBallots).where(eq(pollSecretBallots.pollId, pollId)).run();
  // Multi-row inserts in id order, in chunks well under SQLite's bound-variable limit.
  for (let i = 0; i < voters.length; i += 500) db.insert(pollVoters).values(voters.slice(i, i + 500)).run();
  for (let i = 0; i < ballots.length; i += 500) db.insert(pollSecretBallots).values(ballots.slice(i, i + 500)).run();
}
