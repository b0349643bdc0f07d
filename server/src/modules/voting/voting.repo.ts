/**
 * Database access for voting, on the async data layer (db/database.ts): the same text on SQLite
 * and PostgreSQL. Writes that must land together take the caller's transaction (`database.tx`).
 */
import { randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Store } from '../../db/database.ts';
import { lockForTx } from '../../db/dialect.ts';
import { randomRowId } from '../../lib/random-pool.ts';
import { GENESIS_HASH, nextEntry, type ChainEntry, type ChainHead, type ChainPayload } from './voting.chain.ts';
import type { PollRow } from './voting.schema.ts';

/** Rows a multi-row insert writes per statement: building one statement per ballot was most of a 2,000-ballot close. */
const CHUNK = 500;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}

/**
 * Inserts `items` under fresh random ids (positive 53-bit: unguessable and unordered, unlike an
 * autoincrement). `insert` writes the rows it is given, skipping an id already taken (ON CONFLICT
 * on the id alone: any other constraint still throws), and returns the ids it wrote; an item whose
 * id clashed (astronomically rare) goes again with a new one. No statement fails on a clash, so a
 * PostgreSQL transaction is never aborted by one.
 */
async function withRandomIds<T>(items: readonly T[], insert: (rows: { id: number; item: T }[]) => Promise<{ id: number }[]>): Promise<void> {
  let left = items;
  for (let attempt = 0; left.length; attempt++) {
    if (attempt > 3) throw new Error('could not find free random row ids');
    const rows = left.map((item) => ({ id: randomRowId(), item }));
    const written = new Set((await insert(rows)).map((r) => r.id));
    left = rows.filter((r) => !written.has(r.id)).map((r) => r.item);
  }
}

export async function getPoll({ q, t }: Store, id: number): Promise<PollRow | undefined> {
  const [row] = await q.select().from(t.polls).where(eq(t.polls.id, id));
  return row;
}

export const listPolls = ({ q, t }: Store, meetingId: number): Promise<PollRow[]> =>
  q.select().from(t.polls).where(eq(t.polls.meetingId, meetingId)).orderBy(asc(t.polls.id));

export const openPolls = ({ q, t }: Store): Promise<PollRow[]> => q.select().from(t.polls).where(eq(t.polls.status, 'open')).orderBy(asc(t.polls.id));

/** The poll a joining screen should show: the open one, else the latest closed or published one. */
export async function currentPoll({ q, t }: Store, meetingId: number): Promise<PollRow | undefined> {
  const { polls } = t;
  const [row] = await q
    .select()
    .from(polls)
    .where(and(eq(polls.meetingId, meetingId), inArray(polls.status, ['open', 'closed', 'published'])))
    // Closed and published polls always have closedAt, so where NULLs sort (engines differ) does not matter.
    .orderBy(desc(eq(polls.status, 'open')), desc(polls.closedAt), desc(polls.id))
    .limit(1);
  return row;
}

export async function insertPoll({ q, t }: Store, values: Pick<PollRow, 'meetingId' | 'agendaItemId' | 'title' | 'spec' | 'createdBy'>): Promise<PollRow> {
  const [row] = await q.insert(t.polls).values(values).returning();
  return row!;
}

/** A poll's status as stored (read under its chain lock, the status a cast may be written under). */
export async function pollStatus({ q, t }: Store, id: number): Promise<PollRow['status'] | undefined> {
  const [row] = await q.select({ status: t.polls.status }).from(t.polls).where(eq(t.polls.id, id));
  return row?.status;
}

export async function updatePoll({ q, t }: Store, id: number, patch: Partial<PollRow>): Promise<void> {
  await q.update(t.polls).set(patch).where(eq(t.polls.id, id));
}

/** Chains locked by each PostgreSQL transaction (or savepoint, whose `q` is its own): a batch of ballots locks its poll once. */
const lockedBy = new WeakMap<object, Set<number>>();

/**
 * Serialises the writers of a poll's chain until the transaction ends, across nodes (db/dialect.ts
 * lockForTx): every transaction that appends to the chain takes it before reading the head, so two
 * nodes never fork it; the primary key (poll_id, seq) stays the last line of defence.
 */
export async function lockChain(s: Store, pollId: number): Promise<void> {
  // On SQLite the transaction is the lock, and one connection's transactions share `q`: nothing to remember.
  if (s.dialect === 'sqlite') return lockForTx(s, `poll-chain:${pollId}`);
  let held = lockedBy.get(s.q);
  if (held?.has(pollId)) return;
  await lockForTx(s, `poll-chain:${pollId}`);
  if (!held) lockedBy.set(s.q, (held = new Set()));
  held.add(pollId);
}

/** The last entry of a poll's chain (one primary-key lookup), or null when empty. */
export async function chainHead({ q, t }: Store, pollId: number): Promise<ChainHead | null> {
  const { pollChain } = t;
  const [head] = await q.select({ seq: pollChain.seq, hash: pollChain.hash }).from(pollChain).where(eq(pollChain.pollId, pollId)).orderBy(desc(pollChain.seq)).limit(1);
  return head ?? null;
}

/** Hash of the chain's last entry (the genesis hash for an empty chain). */
export const headHash = async (s: Store, pollId: number): Promise<string> => (await chainHead(s, pollId))?.hash ?? GENESIS_HASH;

/** Appends entries after the current head, inside the transaction that makes the change. Returns the last. */
export async function appendChain(s: Store, pollId: number, ...payloads: ChainPayload[]): Promise<ChainEntry> {
  await lockChain(s, pollId);
  let head: ChainHead | null = await chainHead(s, pollId);
  const entries = payloads.map((payload) => (head = nextEntry(head, payload)));
  if (!entries.length) throw new Error('nothing to append');
  for (const chunk of chunks(entries)) await s.q.insert(s.t.pollChain).values(chunk.map((e) => ({ pollId, ...e })));
  return entries.at(-1)!;
}

export async function loadChain({ q, t }: Store, pollId: number): Promise<ChainEntry[]> {
  const { pollChain } = t;
  return q
    .select({ seq: pollChain.seq, prevHash: pollChain.prevHash, hash: pollChain.hash, payload: pollChain.payload })
    .from(pollChain)
    .where(eq(pollChain.pollId, pollId))
    .orderBy(asc(pollChain.seq));
}

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
export async function insertVoters({ q, t }: Store, pollId: number, userIds: readonly number[]): Promise<void> {
  const { pollVoters } = t;
  for (const chunk of chunks(shuffled(userIds))) {
    await withRandomIds(chunk, (rows) =>
      q
        .insert(pollVoters)
        .values(rows.map(({ id, item: userId }) => ({ id, pollId, userId, voted: 0 })))
        .onConflictDoNothing({ target: pollVoters.id })
        .returning({ id: pollVoters.id }),
    );
  }
}

/** Marks `userId` as having voted, in place. False when they already had (or were not eligible). */
export async function flipVoter({ q, t }: Store, pollId: number, userId: number): Promise<boolean> {
  const { pollVoters } = t;
  const flipped = await q
    .update(pollVoters)
    .set({ voted: 1 })
    .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.userId, userId), eq(pollVoters.voted, 0)))
    .returning({ id: pollVoters.id });
  return flipped.length === 1;
}

export async function loadVoterIds({ q, t }: Store, pollId: number): Promise<number[]> {
  const { pollVoters } = t;
  const rows = await q
    .select({ u: pollVoters.userId })
    .from(pollVoters)
    .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.voted, 1)));
  return rows.map((r) => r.u);
}

export async function findBox({ q, t }: Store, pollId: number, tag: string): Promise<{ id: number; box: Buffer } | undefined> {
  const { pollBallotBoxes: b } = t;
  const [row] = await q.select({ id: b.id, box: b.box }).from(b).where(and(eq(b.pollId, pollId), eq(b.tag, tag)));
  return row;
}

export const insertBox = ({ q, t }: Store, pollId: number, tag: string, box: Buffer): Promise<void> =>
  withRandomIds([box], ([row]) =>
    q.insert(t.pollBallotBoxes).values({ id: row!.id, pollId, tag, box }).onConflictDoNothing({ target: t.pollBallotBoxes.id }).returning({ id: t.pollBallotBoxes.id }),
  );

export async function updateBox({ q, t }: Store, id: number, box: Buffer): Promise<void> {
  await q.update(t.pollBallotBoxes).set({ box }).where(eq(t.pollBallotBoxes.id, id));
}

export async function loadBoxes({ q, t }: Store, pollId: number): Promise<Buffer[]> {
  const rows = await q.select({ box: t.pollBallotBoxes.box }).from(t.pollBallotBoxes).where(eq(t.pollBallotBoxes.pollId, pollId));
  return rows.map((r) => r.box);
}

export async function deleteBoxes({ q, t }: Store, pollId: number): Promise<void> {
  await q.delete(t.pollBallotBoxes).where(eq(t.pollBallotBoxes.pollId, pollId));
}

/** Writes a sealed secret poll: choices and receipts as two lists, each already sorted by the caller. */
export async function insertSealed({ q, t }: Store, pollId: number, choices: readonly string[][], receipts: readonly string[]): Promise<void> {
  const { pollSecretBallots: b, pollReceipts } = t;
  for (const chunk of chunks(choices)) {
    await withRandomIds(chunk, (rows) =>
      q
        .insert(b)
        .values(rows.map(({ id, item }) => ({ id, pollId, choices: item })))
        .onConflictDoNothing({ target: b.id })
        .returning({ id: b.id }),
    );
  }
  for (const chunk of chunks(receipts)) await q.insert(pollReceipts).values(chunk.map((receipt) => ({ pollId, receipt })));
}

export const loadSecretBallots = ({ q, t }: Store, pollId: number): Promise<{ choices: string[] }[]> =>
  q.select({ choices: t.pollSecretBallots.choices }).from(t.pollSecretBallots).where(eq(t.pollSecretBallots.pollId, pollId));

export async function loadReceipts({ q, t }: Store, pollId: number): Promise<string[]> {
  const { pollReceipts: r } = t;
  return (await q.select({ r: r.receipt }).from(r).where(eq(r.pollId, pollId)).orderBy(asc(r.receipt))).map((x) => x.r);
}

export async function hasReceipt({ q, t }: Store, pollId: number, receipt: string): Promise<boolean> {
  const { pollReceipts: r } = t;
  const [row] = await q.select({ r: r.receipt }).from(r).where(and(eq(r.pollId, pollId), eq(r.receipt, receipt)));
  return row !== undefined;
}

export async function findOpenBallot({ q, t }: Store, pollId: number, userId: number): Promise<{ choices: string[]; ballotId: string | null } | undefined> {
  const { pollOpenBallots: b } = t;
  const [row] = await q.select({ choices: b.choices, ballotId: b.ballotId }).from(b).where(and(eq(b.pollId, pollId), eq(b.userId, userId)));
  return row;
}

export async function insertOpenBallot({ q, t }: Store, pollId: number, userId: number, choices: string[], castAt: number, ballotId: string): Promise<void> {
  await q.insert(t.pollOpenBallots).values({ pollId, userId, choices, castAt, ballotId });
}

export async function updateOpenBallot({ q, t }: Store, pollId: number, userId: number, choices: string[], castAt: number, ballotId: string): Promise<void> {
  const { pollOpenBallots: b } = t;
  await q
    .update(b)
    .set({ choices, castAt, ballotId })
    .where(and(eq(b.pollId, pollId), eq(b.userId, userId)));
}

export function loadOpenBallots({ q, t }: Store, pollId: number): Promise<{ voterId: number; choices: string[]; fullName: string }[]> {
  const { pollOpenBallots: b, users } = t;
  return q
    .select({ voterId: b.userId, choices: b.choices, fullName: users.fullName })
    .from(b)
    .innerJoin(users, eq(users.id, b.userId))
    .where(eq(b.pollId, pollId))
    .orderBy(asc(users.fullName), asc(b.userId));
}
