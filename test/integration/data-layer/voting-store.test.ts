/**
 * Voting on the async data layer, on the engine of this run (SQLite in the main suite, PostgreSQL
 * in the second pass): the VotingService driven directly (a stub broadcaster, a fixed attendance).
 * A burst of casts is group-committed and every one verifies; a retry gets its original answer;
 * open polls are rebuilt from the database by another service (a restart, a takeover); and two
 * services on two connections casting into one poll at once (two nodes while a lease changes
 * hands) never fork its chain, and one that still mirrors a poll another has closed adds nothing.
 * (test/integration/voting covers voting through the app.)
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDatabase, savepoint, type Database } from '../../../server/src/db/database.ts';
import { verifyStoredPoll } from '../../../server/src/modules/voting/voting.export.ts';
import * as repo from '../../../server/src/modules/voting/voting.repo.ts';
import type { EligibleVoter } from '../../../server/src/modules/voting/voting.result.ts';
import { VotingService } from '../../../server/src/modules/voting/voting.service.ts';
import { selectRaw } from '../../../server/src/db/dialect.ts';
import { until } from '../auth/support.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

const N = 40;
const SECRET = 'voting-store-test-secret-0123456789abcdef';
const silentEmit = { toMeeting: () => ({ emit: () => true }), toMeetingByAudience: () => ({ emit: () => true, emitShaped: () => true }), toManagers: () => ({ emit: () => true }) } as never;
const silentLog = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => silentLog } as never;

let tdb: TestDatabase;
let db: Database;
/** A second handle on the same database: its own pool on PostgreSQL (another node), the same connection on SQLite. */
let other: Database;
let meetingId = 0;
let chairId = 0;
let voters: EligibleVoter[] = [];
const services: VotingService[] = [];

function service(on: Database): VotingService {
  const svc = new VotingService(on, silentEmit, silentLog, {
    secret: SECRET,
    attendance: async () => ({ invited: voters, present: new Set(voters.map((v) => v.userId)) }),
  });
  services.push(svc);
  return svc;
}

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  other = tdb.url ? await postgresDatabase(tdb.url, { max: 4 }) : db;
  await db.tx(async ({ q, t }) => {
    const [unit] = await q.insert(t.units).values({ level: 'province', code: 'P1', name: 'Tỉnh Sơn Hà' }).returning({ id: t.units.id });
    const [chair] = await q.insert(t.users).values({ username: 'chair', passwordHash: 'x', fullName: 'Văn phòng', role: 'secretariat', unitId: unit!.id }).returning({ id: t.users.id });
    chairId = chair!.id;
    const [meeting] = await q
      .insert(t.meetings)
      .values({ title: 'Họp', kind: 'conference', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T05:00:00.000Z', status: 'live', chairUnitId: unit!.id })
      .returning({ id: t.meetings.id });
    meetingId = meeting!.id;
    const delegates = Array.from({ length: N }, (_, i) => ({ username: `d${i}`, passwordHash: 'x', fullName: `Đại biểu ${i}`, role: 'delegate' as const }));
    const ids = new Map((await q.insert(t.users).values(delegates).returning({ id: t.users.id, username: t.users.username })).map((u) => [u.username, u.id]));
    voters = delegates.map((d) => ({ userId: ids.get(d.username)!, bridgePointId: null, bridgeName: 'Thiết bị cá nhân', level: 'provincial' }));
  });
});

afterAll(async () => {
  for (const svc of services) await svc.stop();
  if (other !== db) await other.close();
  await tdb?.cleanup();
});

const verify = (pollId: number) => db.run(async (s) => verifyStoredPoll(s, (await repo.getPoll(s, pollId))!));
const newPoll = async (svc: VotingService, mode: 'open' | 'secret', extra: Record<string, unknown> = {}) => {
  const poll = await svc.create(chairId, meetingId, { agendaItemId: null, title: `Biểu quyết ${mode}`, kind: 'approval', mode, majority: 'simple', ...extra } as never);
  await svc.open(chairId, meetingId, poll.id);
  return poll;
};
const choice = (i: number) => (['yes', 'no', 'abstain'] as const)[i % 3]!;

/** PostgreSQL: the files behind the two ballot tables (VACUUM FULL replaces them); null on SQLite. */
const ballotTableFiles = async (): Promise<string | null> =>
  pgUrl() ? JSON.stringify(await db.run((s) => selectRaw(s, sql`select relname, relfilenode from pg_class where relname in ('poll_voters', 'poll_ballot_boxes') order by relname`))) : null;

describe(`voting on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('group-commits a burst of open and secret ballots, answers a retry as the original, and verifies', async () => {
    const svc = service(db);
    for (const mode of ['open', 'secret'] as const) {
      const poll = await newPoll(svc, mode, { allowChange: true });
      const filesBefore = await ballotTableFiles();
      const ids = voters.map(() => randomUUID());
      // Secret: the last delegate's device reuses the first's ballot id in the same batch. It alone is
      // refused (the UNIQUE tag index, rolled back by itself), then casts again with a fresh id.
      const reused = mode === 'secret' ? ids[0]! : ids[N - 1]!;
      const burst = await Promise.allSettled(voters.map((v, i) => svc.cast(v.userId, meetingId, poll.id, [choice(i)], i === N - 1 ? reused : ids[i]!)));
      if (mode === 'secret') {
        expect(burst.at(-1)).toMatchObject({ status: 'rejected', reason: { code: 'VALIDATION_FAILED' } });
        burst[N - 1] = { status: 'fulfilled', value: await svc.cast(voters[N - 1]!.userId, meetingId, poll.id, [choice(N - 1)], ids[N - 1]!) };
      }
      const acks = burst.map((b) => (b.status === 'fulfilled' ? b.value : expect.unreachable(String(b.reason))));
      expect(acks.every((a) => !a.changed)).toBe(true);
      // A lost ack retried, and a change; a secret ballot changes only from the device that cast it (its ballot id).
      expect(await svc.cast(voters[0]!.userId, meetingId, poll.id, [choice(0)], ids[0]!)).toEqual(acks[0]);
      expect(await svc.cast(voters[1]!.userId, meetingId, poll.id, ['yes'], ids[1]!)).toMatchObject({ changed: true });
      if (mode === 'secret') await expect(svc.cast(voters[2]!.userId, meetingId, poll.id, ['yes'], randomUUID())).rejects.toMatchObject({ code: 'ALREADY_VOTED' });
      const { result } = await svc.close(chairId, meetingId, poll.id);
      expect(result.voted).toBe(N);
      // 14 yes, 13 no, 13 abstain; delegate 1 changed from no to yes.
      expect(result.options.map((o) => o.votes)).toEqual([15, 12, 13]);
      expect(await verify(poll.id)).toMatchObject({ ok: true, problems: [], chainLength: 2 + N + 1 + (mode === 'secret' ? N + 1 : 0) + 2 });
      if (mode === 'secret') {
        const left = await db.run(async ({ q, t }) => (await q.select({ n: count() }).from(t.pollBallotBoxes).where(eq(t.pollBallotBoxes.pollId, poll.id)))[0]!.n);
        expect(left).toBe(0);
        expect(await db.run((s) => repo.loadReceipts(s, poll.id))).toEqual(acks.map((a) => a.receipt).sort());
        // PostgreSQL: the ballot tables are rewritten after sealing (VACUUM FULL gives them new files), so no dead
        // row version says who voted when. Done after the result is out: waited for, with a generous bound.
        if (pgUrl()) await until(async () => (await ballotTableFiles()) !== filesBefore, 'the ballot tables rewritten after sealing', 60_000);
      }
    }
  });

  it('rebuilds the open poll from the database in another service (a restart or a takeover)', async () => {
    const first = service(db);
    const poll = await newPoll(first, 'secret');
    const ids = voters.map(() => randomUUID());
    const half = voters.slice(0, N / 2);
    const acks = await Promise.all(half.map((v, i) => first.cast(v.userId, meetingId, poll.id, [choice(i)], ids[i]!)));
    first.drop(meetingId);
    const second = service(other);
    await second.adopt(meetingId);
    expect(second.live.get(poll.id)?.voted.size).toBe(N / 2);
    // The ballot key came back from APP_SECRET: a retry gets its receipt, the rest vote.
    expect((await second.cast(half[0]!.userId, meetingId, poll.id, [choice(0)], ids[0]!)).receipt).toBe(acks[0]!.receipt);
    await Promise.all(voters.slice(N / 2).map((v, i) => second.cast(v.userId, meetingId, poll.id, [choice(N / 2 + i)], ids[N / 2 + i]!)));
    const { result } = await second.close(chairId, meetingId, poll.id);
    expect(result.voted).toBe(N);
    expect(await verify(poll.id)).toMatchObject({ ok: true, problems: [] });
  });

  it('never forks a chain when two nodes cast into one poll at once, and a node that missed the close adds nothing', async () => {
    const a = service(db);
    const poll = await newPoll(a, 'open');
    // Both nodes mirror the poll, as when a lease changed hands while casts were in flight.
    const b = service(other);
    await b.adopt(meetingId);
    const nodes = [a, b];
    const last = voters.at(-1)!;
    const rounds = await Promise.allSettled(voters.slice(0, -1).map((v, i) => nodes[i % 2]!.cast(v.userId, meetingId, poll.id, [choice(i)], randomUUID())));
    expect(rounds.filter((r) => r.status === 'rejected')).toEqual([]);
    await a.close(chairId, meetingId, poll.id);
    // b never heard of the close: its mirror still takes the cast, the database refuses it.
    expect(b.live.get(poll.id)).toBeDefined();
    await expect(b.cast(last.userId, meetingId, poll.id, ['no'], randomUUID())).rejects.toMatchObject({ code: 'POLL_CLOSED' });
    const entries = await db.run((s) => repo.loadChain(s, poll.id));
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
    expect(await verify(poll.id)).toMatchObject({ ok: true, problems: [] });
    const stored = await db.run(async ({ q, t }) => (await q.select({ n: count() }).from(t.pollOpenBallots).where(and(eq(t.pollOpenBallots.pollId, poll.id))))[0]!.n);
    expect(stored).toBe(N - 1);
    b.drop(meetingId);
  });

  it('a transaction appends after the head it remembers, and forgets it when a savepoint or a status change may have moved it', async () => {
    const svc = service(db);
    const poll = await svc.create(chairId, meetingId, { agendaItemId: null, title: 'Chuỗi', kind: 'approval', mode: 'open', majority: 'simple' } as never);
    const refused = await db.tx(async (s) => {
      await repo.lockChain(s, poll.id);
      await repo.updatePoll(s, poll.id, { status: 'open' });
      expect(await repo.appendBallot(s, poll.id, { type: 'note', n: 1 })).toBe(true);
      // A savepoint that appends and commits moves the head under the transaction's memory of it...
      await savepoint(s, (inner) => repo.appendChain(inner, poll.id, { type: 'note', n: 2 }));
      // ... and one that appends and rolls back leaves it where it was.
      await savepoint(s, async (inner) => {
        await repo.appendChain(inner, poll.id, { type: 'note', n: 3 });
        throw new Error('rolled back');
      }).catch(() => {});
      expect(await repo.appendBallot(s, poll.id, { type: 'note', n: 4 })).toBe(true);
      // The poll's status is remembered with the head: closing it in the transaction is seen at once.
      await repo.updatePoll(s, poll.id, { status: 'closed' });
      return repo.appendBallot(s, poll.id, { type: 'note', n: 5 });
    });
    expect(refused).toBe(false);
    const entries = await db.run((s) => repo.loadChain(s, poll.id));
    // After the poll's creation entry, consecutive: no fork, no gap.
    expect(entries.map((e) => [e.seq, e.payload.n ?? e.payload.type])).toEqual([
      [0, 'created'],
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
    expect(await verify(poll.id)).toMatchObject({ ok: true, problems: [] });
  });
});
