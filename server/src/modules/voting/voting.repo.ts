/**
 * Database access for voting, on the async data layer (db/database.ts): the same text on SQLite
 * and PostgreSQL. Writes that must land together take the caller's transaction (`database.tx`).
 */
import { randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { txMemo, type Store } from '../../db/database.ts';
import { hot, hotWrite, lockForTx } from '../../db/dialect.ts';
import { randomRowId } from '../../lib/random-pool.ts';
import { GENESIS_HASH, nextEntry, type ChainEntry, type ChainHead, type ChainPayload } from './voting.chain.ts';
import type { PollRow } from './voting.schema.ts';

export const ph = sql.placeholder;
/** A placeholder in an update's `set()`, which binds it as insert values do though drizzle's types leave it out. */
const setPh = <T>(name: string) => ph(name) as unknown as T;

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
const currentPollOf = hot(({ q, t: { polls } }) =>
  q
    .select()
    .from(polls)
    .where(and(eq(polls.meetingId, ph('meetingId')), inArray(polls.status, ['open', 'closed', 'published'])))
    // Closed and published polls always have closedAt, so where NULLs sort (engines differ) does not matter.
    .orderBy(desc(eq(polls.status, 'open')), desc(polls.closedAt), desc(polls.id))
    .limit(1),
);
export const currentPoll = async (s: Store, meetingId: number): Promise<PollRow | undefined> => (await currentPollOf(s, { meetingId }))[0];

export async function insertPoll({ q, t }: Store, values: Pick<PollRow, 'meetingId' | 'agendaItemId' | 'title' | 'spec' | 'createdBy'>): Promise<PollRow> {
  const [row] = await q.insert(t.polls).values(values).returning();
  return row!;
}

export async function updatePoll(s: Store, id: number, patch: Partial<PollRow>): Promise<void> {
  // The remembered head carries the poll's status.
  txMemo(s)?.delete(headKey(id));
  await s.q.update(s.t.polls).set(patch).where(eq(s.t.polls.id, id));
}

/**
 * Serialises the writers of a poll's chain until the transaction ends, across nodes (db/dialect.ts
 * lockForTx): every transaction that appends to the chain takes it before reading the head, so two
 * nodes never fork it; the primary key (poll_id, seq) stays the last line of defence. Taken once per
 * transaction (txMemo): a batch of ballots locks its poll once.
 */
export async function lockChain(s: Store, pollId: number): Promise<void> {
  const memo = txMemo(s);
  const key = `poll-chain-lock:${pollId}`;
  if (memo?.has(key)) return;
  await lockForTx(s, `poll-chain:${pollId}`);
  memo?.set(key, true);
}

/**
 * The last entry of a poll's chain, with the poll's status: one primary-key lookup each, in one
 * statement (a join cost drizzle several times as much to map). No row while the chain is empty.
 */
const headOf = hot(({ q, t: { polls, pollChain: c } }) =>
  q
    .select({ seq: c.seq, hash: c.hash, status: sql<PollRow['status']>`(select ${polls.status} from ${polls} where ${polls.id} = ${c.pollId})` })
    .from(c)
    .where(eq(c.pollId, ph('pollId')))
    .orderBy(desc(c.seq))
    .limit(1),
);

type Head = { status: PollRow['status'] | undefined; head: ChainHead | null };
/** The transaction's remembered head of a poll's chain (db/database.ts txMemo). */
const headKey = (pollId: number) => `poll-chain-head:${pollId}`;

/**
 * Read once per transaction and then remembered (txMemo), as every later append in it goes through
 * `append`, under the chain lock: a batch of 2,000 ballots read the head 2,000 times, a third of
 * each ballot's cost. A change to the poll's row in the transaction forgets it (`updatePoll`).
 */
async function chainHead(s: Store, pollId: number): Promise<Head> {
  const memo = txMemo(s);
  const known = memo?.get(headKey(pollId)) as Head | undefined;
  if (known) return known;
  const [row] = await headOf(s, { pollId });
  const found: Head = { status: row?.status, head: row ? { seq: row.seq, hash: row.hash } : null };
  memo?.set(headKey(pollId), found);
  return found;
}

/** Hash of the chain's last entry (the genesis hash for an empty chain). */
export const headHash = async (s: Store, pollId: number): Promise<string> => (await chainHead(s, pollId)).head?.hash ?? GENESIS_HASH;

const insertEntry = hotWrite(({ q, t: { pollChain: c } }) =>
  q.insert(c).values({ pollId: ph('pollId'), seq: ph('seq'), prevHash: ph('prevHash'), hash: ph('hash'), payload: ph('payload') }),
);

/** Appends entries after the current head (`whileOpen`: only if the poll, read with it, is open). The last entry, or null when refused. */
async function append(s: Store, pollId: number, payloads: ChainPayload[], whileOpen: boolean): Promise<ChainEntry | null> {
  await lockChain(s, pollId);
  const found = await chainHead(s, pollId);
  if (whileOpen && found.status !== 'open') return null;
  let head = found.head;
  const entries = payloads.map((payload) => (head = nextEntry(head, payload)));
  if (!entries.length) throw new Error('nothing to append');
  // A ballot's one entry by the prepared statement; a sealing's thousands by multi-row statements.
  const memo = txMemo(s);
  // Forgotten while writing: a statement that fails leaves the head unknown.
  memo?.delete(headKey(pollId));
  if (entries.length === 1) await insertEntry(s, { pollId, ...entries[0]! });
  else for (const chunk of chunks(entries)) await s.q.insert(s.t.pollChain).values(chunk.map((e) => ({ pollId, ...e })));
  const last = entries.at(-1)!;
  memo?.set(headKey(pollId), { status: found.status, head: { seq: last.seq, hash: last.hash } });
  return last;
}

/** Appends entries after the current head, inside the transaction that makes the change. Returns the last. */
export const appendChain = async (s: Store, pollId: number, ...payloads: ChainPayload[]): Promise<ChainEntry> => (await append(s, pollId, payloads, false))!;

/**
 * A ballot's entry, inside its cast's transaction, appended only while the poll is open: its status
 * is read with the head, under the chain lock, so a cast batched after a close (on any node) is
 * refused. False, and nothing appended, when it has closed.
 */
export const appendBallot = async (s: Store, pollId: number, payload: ChainPayload): Promise<boolean> => (await append(s, pollId, [payload], true)) !== null;

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
const flipVoterOf = hotWrite(({ q, t: { pollVoters: v } }) =>
  q
    .update(v)
    .set({ voted: 1 })
    .where(and(eq(v.pollId, ph('pollId')), eq(v.userId, ph('userId')), eq(v.voted, 0))),
);
export const flipVoter = async (s: Store, pollId: number, userId: number): Promise<boolean> => (await flipVoterOf(s, { pollId, userId })) === 1;

export async function loadVoterIds({ q, t }: Store, pollId: number): Promise<number[]> {
  const { pollVoters } = t;
  const rows = await q
    .select({ u: pollVoters.userId })
    .from(pollVoters)
    .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.voted, 1)));
  return rows.map((r) => r.u);
}

const findBoxOf = hot(({ q, t: { pollBallotBoxes: b } }) => q.select({ id: b.id, box: b.box }).from(b).where(and(eq(b.pollId, ph('pollId')), eq(b.tag, ph('tag')))));
export const findBox = async (s: Store, pollId: number, tag: string): Promise<{ id: number; box: Buffer } | undefined> => (await findBoxOf(s, { pollId, tag }))[0];

const insertBoxOf = hotWrite(({ q, t: { pollBallotBoxes: b } }) =>
  q.insert(b).values({ id: ph('id'), pollId: ph('pollId'), tag: ph('tag'), box: ph('box') }).onConflictDoNothing({ target: b.id }),
);
export const insertBox = (s: Store, pollId: number, tag: string, box: Buffer): Promise<void> =>
  withRandomIds([box], async ([row]) => ((await insertBoxOf(s, { id: row!.id, pollId, tag, box })) ? [row!] : []));

const updateBoxOf = hotWrite(({ q, t: { pollBallotBoxes: b } }) => q.update(b).set({ box: setPh<Buffer>('box') }).where(eq(b.id, ph('id'))));
export const updateBox = async (s: Store, id: number, box: Buffer): Promise<void> => void (await updateBoxOf(s, { id, box }));

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

const findOpenBallotOf = hot(({ q, t: { pollOpenBallots: b } }) =>
  q.select({ choices: b.choices, ballotId: b.ballotId }).from(b).where(and(eq(b.pollId, ph('pollId')), eq(b.userId, ph('userId')))),
);
export const findOpenBallot = async (s: Store, pollId: number, userId: number): Promise<{ choices: string[]; ballotId: string | null } | undefined> =>
  (await findOpenBallotOf(s, { pollId, userId }))[0];

const insertOpenBallotOf = hotWrite(({ q, t: { pollOpenBallots: b } }) =>
  q.insert(b).values({ pollId: ph('pollId'), userId: ph('userId'), choices: ph('choices'), castAt: ph('castAt'), ballotId: ph('ballotId') }),
);
export const insertOpenBallot = async (s: Store, pollId: number, userId: number, choices: string[], castAt: number, ballotId: string): Promise<void> =>
  void (await insertOpenBallotOf(s, { pollId, userId, choices, castAt, ballotId }));

const updateOpenBallotOf = hotWrite(({ q, t: { pollOpenBallots: b } }) =>
  q
    .update(b)
    .set({ choices: setPh<string[]>('choices'), castAt: setPh<number>('castAt'), ballotId: setPh<string>('ballotId') })
    .where(and(eq(b.pollId, ph('pollId')), eq(b.userId, ph('userId')))),
);
export const updateOpenBallot = async (s: Store, pollId: number, userId: number, choices: string[], castAt: number, ballotId: string): Promise<void> =>
  void (await updateOpenBallotOf(s, { pollId, userId, choices, castAt, ballotId }));

export function loadOpenBallots({ q, t }: Store, pollId: number): Promise<{ voterId: number; choices: string[]; fullName: string }[]> {
  const { pollOpenBallots: b, users } = t;
  return q
    .select({ voterId: b.userId, choices: b.choices, fullName: users.fullName })
    .from(b)
    .innerJoin(users, eq(users.id, b.userId))
    .where(eq(b.pollId, pollId))
    .orderBy(asc(users.fullName), asc(b.userId));
}
