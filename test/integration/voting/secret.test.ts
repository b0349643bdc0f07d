import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { join as pathJoin } from 'node:path';
import { and, asc, count, eq, like } from 'drizzle-orm';
import type { PollResult, Turnout } from '../../../shared/src/index.ts';
import { dbFile } from '../../../server/src/db/index.ts';
import { verifyPollCli } from '../../../server/src/modules/voting/voting.cli.ts';
import { loadChain } from '../../../server/src/modules/voting/voting.repo.ts';
import { nextEvent, noEvent, request, type TestApp } from '../../helpers/app.ts';
import { bearer, cast, columnsOf, dbRun, expectError, foreignTablesOf, liveRoom, okData, type Room } from './helpers.ts';

let room: Room | null = null;
afterEach(async () => {
  await room?.close();
  room = null;
});

/** The poll's chain payloads, in order. */
const payloadsOf = async (t: TestApp, pollId: number) => (await dbRun(t, (s) => loadChain(s, pollId))).map((e) => e.payload as { type: string } & Record<string, unknown>);
const boxCount = (t: TestApp, pollId: number) =>
  dbRun(t, async ({ q, t: db }) => (await q.select({ n: count() }).from(db.pollBallotBoxes).where(eq(db.pollBallotBoxes.pollId, pollId)))[0]!.n);
/** The database the command-line check reads: the app's PostgreSQL database, else its SQLite file. */
const cliTarget = (t: TestApp) => (t.config.databaseUrl ? ['--database-url', t.config.databaseUrl] : ['--db', dbFile(t.dataDir)]);

async function secretPoll(names: string[], extra: Record<string, unknown> = {}) {
  room = await liveRoom(names);
  const poll = await room.create({ mode: 'secret', title: 'Biểu quyết kín', quorum: { num: 1, den: 20, inclusive: false }, ...extra });
  await room.open(poll.id);
  return { r: room, poll };
}

describe('voting: secret ballots', () => {
  it('has no tally anywhere before close, and no person↔choice link in the database', async () => {
    const { r, poll } = await secretPoll(['daibieu01', 'daibieu02', 'daibieu03', 'daibieu11']);
    const [d1, d2, d3, d11] = r.present as [any, any, any, any];
    const noTally = noEvent(r.chair.socket, 'poll:tally-changed', 800);
    const turnout = nextEvent<Turnout>(r.chair.socket, 'poll:turnout-changed');
    const receipts: string[] = [];
    for (const [m, c] of [[d1, 'yes'], [d2, 'no'], [d3, 'yes'], [d11, 'abstain']] as const) {
      const ack = okData(await cast(m, poll.id, [c]));
      expect(ack.receipt).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      receipts.push(ack.receipt!);
    }
    expect(new Set(receipts).size).toBe(4);
    expect((await turnout).voted).toBeGreaterThanOrEqual(1);
    expect(await noTally).toBe(true);
    // Not in the secretariat's snapshot, not over HTTP.
    const rejoin = okData(await request<{ poll: { tally: unknown; result: unknown } }>(r.chair.socket, 'meeting:join', { meetingId: r.meetingId }));
    expect(rejoin.poll).toMatchObject({ tally: null, result: null });
    const detail = await r.t.app.inject({ url: `/api/polls/${poll.id}`, headers: bearer(r.chair.token) });
    expect(detail.json()).toMatchObject({ result: null, turnout: { voted: 4, eligible: 4 } });
    expect((await r.t.app.inject({ url: `/api/polls/${poll.id}/result`, headers: bearer(r.chair.token) })).statusCode).toBe(409);
    expect((await r.t.app.inject({ url: `/api/polls/${poll.id}/ballots`, headers: bearer(r.chair.token) })).statusCode).toBe(403);
    expect(r.t.app.voting.live.tally(r.t.app.voting.live.get(poll.id)!)).toBeNull();

    // The DB rows: who voted in one table, sealed boxes in another, nothing shared, no choice in clear.
    expect(await columnsOf(r.t, 'poll_voters')).toEqual(['id', 'poll_id', 'user_id', 'voted']);
    expect(await columnsOf(r.t, 'poll_secret_ballots')).toEqual(['choices', 'id', 'poll_id']);
    expect(await columnsOf(r.t, 'poll_ballot_boxes')).toEqual(['box', 'id', 'poll_id', 'tag']);
    expect(await foreignTablesOf(r.t, 'poll_secret_ballots')).toEqual(['polls']);
    expect(await foreignTablesOf(r.t, 'poll_ballot_boxes')).toEqual(['polls']);
    expect(await foreignTablesOf(r.t, 'poll_voters')).toEqual(['polls', 'users']);
    const { voters, ballots, sealed } = await dbRun(r.t, async ({ q, t: db }) => ({
      voters: await q.select({ id: db.pollVoters.id, userId: db.pollVoters.userId }).from(db.pollVoters).where(and(eq(db.pollVoters.pollId, poll.id), eq(db.pollVoters.voted, 1))),
      ballots: await q.select({ id: db.pollBallotBoxes.id, box: db.pollBallotBoxes.box }).from(db.pollBallotBoxes).where(eq(db.pollBallotBoxes.pollId, poll.id)),
      sealed: (await q.select({ n: count() }).from(db.pollSecretBallots).where(eq(db.pollSecretBallots.pollId, poll.id)))[0]!.n,
    }));
    expect(voters.map((v) => v.userId).sort()).toEqual([d1.userId, d2.userId, d3.userId, d11.userId].sort());
    expect(ballots).toHaveLength(4);
    // Every box has the same size, whatever it holds; none holds a choice in clear.
    expect(new Set(ballots.map((b) => b.box.length)).size).toBe(1);
    for (const b of ballots) expect(b.box.toString('latin1')).not.toMatch(/yes|abstain|choices/);
    expect(sealed).toBe(0);
    // Random 53-bit row ids (no autoincrement, so no insertion order), disjoint between the tables.
    for (const row of [...voters, ...ballots]) expect(row.id).toBeGreaterThan(2 ** 24);
    expect(voters.some((v) => ballots.some((b) => b.id === v.id))).toBe(false);
    // No user id appears anywhere in a ballot row or in the poll's chain after the eligible list.
    const casts = (await payloadsOf(r.t, poll.id)).filter((p) => p.type === 'cast');
    expect(casts).toEqual(Array(4).fill({ type: 'cast', replaces: false }));
    const voteAudits = await dbRun(r.t, async ({ q, t: db }) => (await q.select({ n: count() }).from(db.auditLog).where(and(eq(db.auditLog.targetType, 'poll'), like(db.auditLog.action, '%vote%'))))[0]!.n);
    expect(voteAudits).toBe(0);

    const closed = nextEvent<{ result: PollResult }>(d2.socket, 'poll:closed');
    okData(await request(r.chair.socket, 'poll:close', { pollId: poll.id }));
    const { result } = await closed;
    expect(result.options.map((o) => o.votes)).toEqual([2, 1, 1]);
    expect(result.byBridgePoint.every((b) => b.counts === null)).toBe(true);
    // At close the choices were sealed into the chain sorted by choice, and the receipts apart, sorted.
    const payloads = await payloadsOf(r.t, poll.id);
    expect(payloads.filter((p) => p.type === 'sealed')).toEqual([{ type: 'sealed', choices: ['abstain'] }, { type: 'sealed', choices: ['no'] }, { type: 'sealed', choices: ['yes'] }, { type: 'sealed', choices: ['yes'] }]);
    expect(payloads.filter((p) => p.type === 'receipts')).toEqual([{ type: 'receipts', receipts: [...receipts].sort() }]);
    // The boxes and the wrapped key are gone.
    expect(await boxCount(r.t, poll.id)).toBe(0);
    expect(await dbRun(r.t, async ({ q, t: db }) => (await q.select({ k: db.polls.ballotKey }).from(db.polls).where(eq(db.polls.id, poll.id)))[0]!.k)).toBeNull();
  });

  it('a receipt proves inclusion only: the check and the published list never pair it with a choice', async () => {
    const { r, poll } = await secretPoll(['daibieu01', 'daibieu02', 'daibieu03']);
    const [d1, d2, d3] = r.present as [any, any, any];
    const receipt1 = okData(await cast(d1, poll.id, ['no'])).receipt!;
    const receipts = [receipt1, okData(await cast(d2, poll.id, ['yes'])).receipt!, okData(await cast(d3, poll.id, ['abstain'])).receipt!];
    const check = (receipt: string, token = d1.token) =>
      r.t.app.inject({ method: 'POST', url: `/api/polls/${poll.id}/receipt-check`, headers: bearer(token), payload: { receipt } });
    expect((await check(receipt1)).statusCode).toBe(403); // not yet published
    okData(await request(r.chair.socket, 'poll:close', { pollId: poll.id }));
    okData(await request(r.chair.socket, 'poll:publish', { pollId: poll.id }));
    const ok = await check(receipt1);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ pollId: poll.id, receipt: receipt1, counted: true });
    const list = (await r.t.app.inject({ url: `/api/polls/${poll.id}/ballots`, headers: bearer(d2.token) })).json();
    // Choices sorted canonically, no receipt beside them; receipts sorted in their own list.
    expect(list.ballots).toEqual(['abstain', 'no', 'yes'].map((c) => ({ receipt: null, voterId: null, fullName: null, choices: [c] })));
    expect(list.receipts).toEqual([...receipts].sort());
    expect(JSON.stringify(list)).not.toMatch(new RegExp(`${receipt1}[^\\]]*choices`));
    expect((await check('0000-0000-0000')).statusCode).toBe(404);
    expect((await check('not-a-receipt')).statusCode).toBe(400);
    // No audit entry or stored trace ties the checking user to the receipt.
    const audit = JSON.stringify(await dbRun(r.t, ({ q, t: db }) => q.select().from(db.auditLog)));
    for (const x of receipts) expect(audit).not.toContain(x);
  });

  it('changes a secret ballot only from the device that cast it (its ballot id), when the poll allows it; retries get the same receipt', async () => {
    const { r, poll } = await secretPoll(['daibieu01', 'daibieu02'], { allowChange: true });
    const [d1, d2] = r.present as [any, any];
    const id1 = randomUUID();
    const first = okData(await cast(d1, poll.id, ['no'], id1));
    // A retry of the same cast (lost ack) gets the original answer.
    expect(okData(await cast(d1, poll.id, ['no'], id1))).toEqual(first);
    // Knowing the receipt (it is published) is no longer enough: another ballot id is refused.
    expectError(await cast(d1, poll.id, ['yes']), 'ALREADY_VOTED');
    expect(okData(await cast(d1, poll.id, ['yes'], id1))).toEqual({ pollId: poll.id, receipt: first.receipt, changed: true });
    // Another delegate cannot use a ballot id that is already taken.
    expectError(await cast(d2, poll.id, ['no'], id1), 'VALIDATION_FAILED');
    okData(await cast(d2, poll.id, ['yes']));
    const { result } = okData(await request<{ result: PollResult }>(r.chair.socket, 'poll:close', { pollId: poll.id }));
    expect(result.options.map((o) => o.votes)).toEqual([2, 0, 0]);
    expect(result.voted).toBe(2);
  });

  it('verify detects tampering with a ballot or the chain, over HTTP and from the command line', async () => {
    const { r, poll } = await secretPoll(['daibieu01', 'daibieu02', 'daibieu03']);
    const [d1, d2, d3] = r.present as [any, any, any];
    okData(await cast(d1, poll.id, ['yes']));
    okData(await cast(d2, poll.id, ['yes']));
    okData(await cast(d3, poll.id, ['no']));
    okData(await request(r.chair.socket, 'poll:close', { pollId: poll.id }));
    const { chainHead } = okData(await request<{ chainHead: string }>(r.chair.socket, 'poll:publish', { pollId: poll.id }));
    const verify = async () => (await r.t.app.inject({ url: `/api/polls/${poll.id}/verify?head=${chainHead}`, headers: bearer(d1.token) })).json();
    expect(await verify()).toMatchObject({ ok: true, problems: [], chainHead });
    const lines: string[] = [];
    expect(await verifyPollCli(['--poll', String(poll.id), ...cliTarget(r.t), '--head', chainHead], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/VERIFIED/);

    // Someone with database access turns a "no" into a "yes".
    await dbRun(r.t, ({ q, t: db }) => q.update(db.pollSecretBallots).set({ choices: ['yes'] }).where(and(eq(db.pollSecretBallots.pollId, poll.id), eq(db.pollSecretBallots.choices, ['no']))));
    const tampered = await verify();
    expect(tampered.ok).toBe(false);
    expect(tampered.problems).toEqual(
      expect.arrayContaining(['stored secret ballots differ from those sealed in the chain', 're-tally differs from the result sealed in the chain']),
    );
    expect(tampered.recomputed.options[0].votes).toBe(3);
    await dbRun(r.t, async ({ q, t: db }) => {
      const [first] = await q.select({ id: db.pollSecretBallots.id }).from(db.pollSecretBallots).where(eq(db.pollSecretBallots.pollId, poll.id)).orderBy(asc(db.pollSecretBallots.id)).limit(1);
      await q.update(db.pollSecretBallots).set({ choices: ['no'] }).where(eq(db.pollSecretBallots.id, first!.id));
      // ...or edits the chain itself.
      const opened = and(eq(db.pollChain.pollId, poll.id), eq(db.pollChain.seq, 1));
      const [entry] = await q.select({ payload: db.pollChain.payload }).from(db.pollChain).where(opened);
      await q.update(db.pollChain).set({ payload: { ...entry!.payload, invited: 3 } }).where(opened);
    });
    const chainTampered = await verify();
    expect(chainTampered.ok).toBe(false);
    expect(chainTampered.problems.join('\n')).toMatch(/entry 1 \(opened\): content does not match its hash/);
    lines.length = 0;
    expect(await verifyPollCli(['--poll', String(poll.id), ...cliTarget(r.t)], (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toMatch(/FAILED/);
    expect(await verifyPollCli(['--poll', 'x'], () => {})).toBe(2);
    expect(await verifyPollCli(['--poll', '12345', '--db', pathJoin(r.t.dataDir, 'missing.sqlite')], () => {})).toBe(2);
    expect(await verifyPollCli(['--poll', '12345', ...cliTarget(r.t)], () => {})).toBe(2);
  });
});
