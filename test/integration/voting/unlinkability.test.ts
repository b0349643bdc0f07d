/**
 * Secret ballots attacked the way someone with a copy of the database files
 * would: copies of the main file and its WAL taken mid-poll and after each
 * ending (close, cancel, a crash then restart), then every ordering we can
 * find is used to pair voters with ballots. With N voters who voted half
 * "yes" and half "no" (in an order independent of the choice), pairing by
 * any ordering must be no better than chance: within 4 standard deviations
 * of 1/2 (a false alarm about once in 30,000 per strategy).
 *
 * Runs the VotingService directly (with a stub broadcaster and a fixed
 * attendance), because the attack is on the files, and 64 voters need no
 * sockets for that. SQLite only: the attack reads SQLite's file and WAL.
 * (PostgreSQL writes a new row version for every flip and keeps the old one
 * until VACUUM: its files are not covered by this test.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteDatabase, type Database } from '../../../server/src/db/database.ts';
import { dbFile, openDb, type Db } from '../../../server/src/db/index.ts';
import { verifyStoredPoll } from '../../../server/src/modules/voting/voting.export.ts';
import * as repo from '../../../server/src/modules/voting/voting.repo.ts';
import { shuffled } from '../../../server/src/modules/voting/voting.repo.ts';
import type { EligibleVoter } from '../../../server/src/modules/voting/voting.result.ts';
import { VotingService } from '../../../server/src/modules/voting/voting.service.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { pgUrl } from '../../helpers/database.ts';

const N = 64;
const SECRET = 'unlinkability-test-secret-0123456789abcdef';
const BOUND = 4 * Math.sqrt(0.25 / N);
const silentEmit = { toMeeting: () => ({ emit: () => true }), toMeetingByAudience: () => ({ emit: () => true, emitShaped: () => true }), toManagers: () => ({ emit: () => true }) } as never;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Setup {
  t: TestApp;
  meetingId: number;
  chairId: number;
  voters: EligibleVoter[];
}

async function setup(): Promise<Setup> {
  const t = await buildTestApp();
  cleanup.push(() => t.close());
  const { meetingId, chairId, userIds } = await t.app.database.tx(async ({ q, t: db }) => {
    const [meeting] = await q.select({ id: db.meetings.id }).from(db.meetings).limit(1);
    await q.update(db.meetings).set({ status: 'live' });
    const [chair] = await q.select({ id: db.users.id }).from(db.users).where(eq(db.users.username, 'vanphong'));
    const delegates = Array.from({ length: N }, (_, i) => ({ username: `kin${i}`, passwordHash: 'disabled', fullName: `Đại biểu kín ${i}`, role: 'delegate' as const }));
    const inserted = await q.insert(db.users).values(delegates).returning({ id: db.users.id, username: db.users.username });
    // In the order they were named (kin0, kin1, ...), whatever order the engine returns them in.
    const byName = new Map(inserted.map((u) => [u.username, u.id]));
    return { meetingId: meeting!.id, chairId: chair!.id, userIds: delegates.map((d) => byName.get(d.username)!) };
  });
  const voters = userIds.map((userId): EligibleVoter => ({ userId, bridgePointId: null, bridgeName: 'Thiết bị cá nhân', level: 'provincial' }));
  return { t, meetingId, chairId, voters };
}

function service(db: Database, s: Setup): VotingService {
  const svc = new VotingService(db, silentEmit, s.t.app.log, {
    secret: SECRET,
    attendance: async () => ({ invited: s.voters, present: new Set(s.voters.map((v) => v.userId)) }),
  });
  cleanup.push(() => svc.stop());
  return svc;
}

/** The independent check of a poll, from the stored rows. */
const verify = (db: Database, pollId: number) => db.run(async (s) => verifyStoredPoll(s, (await repo.getPoll(s, pollId))!));

/** Half yes, half no, assigned at random. */
function choicesFor(voters: EligibleVoter[]): Map<number, string> {
  const picks = shuffled([...Array<string>(N / 2).fill('yes'), ...Array<string>(N / 2).fill('no')]);
  return new Map(voters.map((v, i) => [v.userId, picks[i]!]));
}

interface Snapshot {
  main: Buffer;
  wal: Buffer | null;
}

/** What a backup (or a thief) gets: the main file and the WAL as they are on disk right now. */
function copyFiles(dataDir: string): Snapshot {
  const file = dbFile(dataDir);
  return { main: readFileSync(file), wal: existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : null };
}

/** Opens a snapshot (optionally with only the first `walBytes` of its WAL) and runs `fn` on it. */
function withSnapshot<T>(s: Snapshot, fn: (db: Db['$client']) => T, walBytes?: number): T {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-attack-'));
  try {
    writeFileSync(join(dir, 'x.sqlite'), s.main);
    if (s.wal) writeFileSync(join(dir, 'x.sqlite-wal'), walBytes === undefined ? s.wal : s.wal.subarray(0, walBytes));
    const db = openDb(join(dir, 'x.sqlite')).$client;
    try {
      return fn(db);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Byte lengths of the WAL up to and including each commit frame: the states the WAL records, in commit order. */
function walCommits(wal: Buffer | null): number[] {
  if (!wal || wal.length < 32) return [];
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  const ends: number[] = [];
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    if (!wal.subarray(off + 8, off + 16).equals(salt)) break;
    if (wal.readUInt32BE(off + 4) !== 0) ends.push(off + 24 + pageSize);
  }
  return ends;
}

/**
 * All `voters` in the order the snapshot's WAL shows them flipping to voted
 * (ties, e.g. already checkpointed or not yet voted there, by user id).
 */
function walVoterOrder(s: Snapshot, pollId: number, voters: number[]): number[] {
  const first = new Map<number, number>();
  walCommits(s.wal).forEach((end, k) => {
    const ids = withSnapshot(s, (db) => db.prepare('SELECT user_id AS u FROM poll_voters WHERE poll_id = ? AND voted = 1').all(pollId) as { u: number }[], end);
    for (const { u } of ids) if (!first.has(u)) first.set(u, k);
  });
  return [...voters].sort((a, b) => (first.get(a) ?? N) - (first.get(b) ?? N) || a - b);
}

/** SQLite's varint encoding, as a table b-tree cell stores its rowid. */
function varint(n: number): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    out.unshift(Number(v & 0x7fn));
    v >>= 7n;
  } while (v > 0n);
  return Buffer.from(out.map((b, i) => (i < out.length - 1 ? b | 0x80 : b)));
}

/** Orders rows by where their cell lies in the file (where the cell's rowid varint is found). */
function byOffset<T extends { id: number }>(file: Buffer, rows: T[]): T[] {
  const at = new Map(rows.map((r) => [r, file.indexOf(varint(r.id))]));
  expect([...at.values()].every((o) => o >= 0)).toBe(true);
  return [...rows].sort((a, b) => at.get(a)! - at.get(b)!);
}

/** Fraction of voters whose choice is guessed right by pairing the i-th voter with the i-th ballot. */
function accuracy(voterOrder: number[], choiceOrder: string[], truth: Map<number, string>): number {
  expect(voterOrder).toHaveLength(choiceOrder.length);
  return voterOrder.filter((u, i) => truth.get(u) === choiceOrder[i]).length / voterOrder.length;
}

function assertNoChoicesInClear(s: Snapshot) {
  for (const buf of [s.main, s.wal].filter((b): b is Buffer => b !== null)) {
    const text = buf.toString('latin1');
    expect(text).not.toContain('["yes"]');
    expect(text).not.toContain('["no"]');
    expect(text).not.toContain('"choices"');
  }
}

/** Every pairing strategy against the ended poll's files (plus the commit order in the earlier copies' WALs). */
function attack(final: Snapshot, mids: Snapshot[], pollId: number, truth: Map<number, string>, receipts: Map<number, string>) {
  const state = withSnapshot(final, (db) => ({
    voters: db.prepare('SELECT id, user_id AS userId FROM poll_voters WHERE poll_id = ? AND voted = 1').all(pollId) as { id: number; userId: number }[],
    ballots: db.prepare('SELECT id, choices FROM poll_secret_ballots WHERE poll_id = ?').all(pollId) as { id: number; choices: string }[],
    receipts: (db.prepare('SELECT receipt FROM poll_receipts WHERE poll_id = ? ORDER BY rowid').all(pollId) as { receipt: string }[]).map((r) => r.receipt),
    chain: (db.prepare('SELECT payload FROM poll_chain WHERE poll_id = ? ORDER BY seq').all(pollId) as { payload: string }[]).map((r) => JSON.parse(r.payload)),
    boxes: (db.prepare('SELECT count(*) AS n FROM poll_ballot_boxes WHERE poll_id = ?').get(pollId) as { n: number }).n,
    key: (db.prepare('SELECT ballot_key AS k FROM polls WHERE id = ?').get(pollId) as { k: string | null }).k,
  }));
  expect(state.voters).toHaveLength(N);
  expect(state.ballots).toHaveLength(N);
  expect(state.boxes).toBe(0);
  expect(state.key).toBeNull();
  const choice = (b: { choices: string }) => (JSON.parse(b.choices) as string[])[0]!;
  const voterOrders: Record<string, number[]> = {
    rowid: [...state.voters].sort((a, b) => a.id - b.id).map((v) => v.userId),
    fileOffset: byOffset(final.main, state.voters).map((v) => v.userId),
    finalWalCommits: walVoterOrder(final, pollId, state.voters.map((v) => v.userId)),
  };
  mids.forEach((mid, i) => (voterOrders[`midPollWalCommits${i}`] = walVoterOrder(mid, pollId, state.voters.map((v) => v.userId))));
  const ballotOrders: Record<string, string[]> = {
    rowid: [...state.ballots].sort((a, b) => a.id - b.id).map(choice),
    fileOffset: byOffset(final.main, state.ballots).map(choice),
    chainSeq: state.chain.filter((p) => p.type === 'sealed').map((p) => p.choices[0]),
  };
  const results: Record<string, number> = {};
  for (const [vn, vo] of Object.entries(voterOrders)) for (const [bn, bo] of Object.entries(ballotOrders)) results[`${vn}×${bn}`] = accuracy(vo, bo, truth);
  // Receipt order: a voter's receipt (which they may show a buyer) at rank i, paired with the i-th ballot.
  const rank = new Map(state.receipts.map((r, i) => [r, i]));
  const byReceipt = [...receipts.entries()].sort((a, b) => rank.get(a[1])! - rank.get(b[1])!).map(([u]) => u);
  for (const [bn, bo] of Object.entries(ballotOrders)) results[`receipt×${bn}`] = accuracy(byReceipt, bo, truth);
  for (const [name, acc] of Object.entries(results)) expect(Math.abs(acc - 0.5), `${name}: ${acc}`).toBeLessThanOrEqual(BOUND);
  return results;
}

describe.skipIf(pgUrl() !== null)('secret ballots cannot be linked to voters from the database files', () => {
  it.each(['close', 'cancel'] as const)('mid-poll and after %s', async (ending) => {
    const s = await setup();
    const svc = service(s.t.app.database, s);
    const poll = await svc.create(s.chairId, s.meetingId, { agendaItemId: null, title: 'Kín', kind: 'approval', mode: 'secret', majority: 'simple' });
    await svc.open(s.chairId, s.meetingId, poll.id);
    const truth = choicesFor(s.voters);
    const receipts = new Map<number, string>();
    let mid: Snapshot | null = null;
    const order = shuffled(s.voters);
    for (const [i, v] of order.entries()) {
      // One commit per ballot: the strongest case for an attacker reading the WAL commit by commit.
      const ack = await svc.cast(v.userId, s.meetingId, poll.id, [truth.get(v.userId)!], randomUUID());
      receipts.set(v.userId, ack.receipt!);
      if (i === N - 1) mid = copyFiles(s.t.dataDir);
    }
    // Mid-poll (every ballot cast, poll still open): no choice anywhere in clear.
    assertNoChoicesInClear(mid!);
    // The attack has teeth: reading the WAL commit by commit does reveal who voted when (here, who voted last)...
    expect(walVoterOrder(mid!, poll.id, order.map((v) => v.userId)).at(-1)).toBe(order.at(-1)!.userId);
    if (ending === 'close') await svc.close(s.chairId, s.meetingId, poll.id);
    else await svc.cancel(s.chairId, s.meetingId, poll.id, 'thử');
    // The WAL is truncated after sealing; wait for it (bounded) before taking the "after" copy.
    const file = `${dbFile(s.t.dataDir)}-wal`;
    for (let i = 0; i < 300 && existsSync(file) && readFileSync(file).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    attack(copyFiles(s.t.dataDir), [mid!], poll.id, truth, receipts);
    // The chain still verifies: casts, sealed choices and receipts agree with the stored lists.
    expect(await verify(s.t.app.database, poll.id)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);

  it('after a crash mid-poll and a restart from the files the crash left', async () => {
    const s = await setup();
    const svc = service(s.t.app.database, s);
    const poll = await svc.create(s.chairId, s.meetingId, { agendaItemId: null, title: 'Kín', kind: 'approval', mode: 'secret', majority: 'simple' });
    await svc.open(s.chairId, s.meetingId, poll.id);
    const truth = choicesFor(s.voters);
    const receipts = new Map<number, string>();
    const order = shuffled(s.voters);
    const ids = new Map(order.map((v) => [v.userId, randomUUID()]));
    for (const v of order.slice(0, N / 2)) receipts.set(v.userId, (await svc.cast(v.userId, s.meetingId, poll.id, [truth.get(v.userId)!], ids.get(v.userId)!)).receipt!);
    // The crash: whatever is in the files at this instant is all that survives.
    const crashed = copyFiles(s.t.dataDir);
    assertNoChoicesInClear(crashed);
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-restart-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(dbFile(dir), crashed.main);
    if (crashed.wal) writeFileSync(`${dbFile(dir)}-wal`, crashed.wal);
    const db2 = sqliteDatabase(openDb(dbFile(dir)), { owned: true });
    cleanup.push(() => db2.close());
    const svc2 = service(db2, s);
    await svc2.restore();
    // A retry of an acked ballot gets its receipt back (the key was recovered from APP_SECRET).
    const [firstVoter] = order;
    const retry = await svc2.cast(firstVoter!.userId, s.meetingId, poll.id, [truth.get(firstVoter!.userId)!], ids.get(firstVoter!.userId)!);
    expect(retry.receipt).toBe(receipts.get(firstVoter!.userId));
    for (const v of order.slice(N / 2)) receipts.set(v.userId, (await svc2.cast(v.userId, s.meetingId, poll.id, [truth.get(v.userId)!], ids.get(v.userId)!)).receipt!);
    const mid = copyFiles(dir);
    assertNoChoicesInClear(mid);
    const { result } = await svc2.close(s.chairId, s.meetingId, poll.id);
    expect(result.voted).toBe(N);
    expect(result.options.find((o) => o.id === 'yes')!.votes).toBe(N / 2);
    const wal = `${dbFile(dir)}-wal`;
    for (let i = 0; i < 300 && existsSync(wal) && readFileSync(wal).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    attack(copyFiles(dir), [crashed, mid], poll.id, truth, receipts);
    expect(await verify(db2, poll.id)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);
});
