/**
 * Live meeting state across two nodes (issue 12): two in-process apps share one Redis and one SQLite
 * file. The node holding a meeting's lease runs its commands and timers; a command sent to the other
 * node is forwarded there and applied once, its broadcasts reach the clients of both nodes shaped by
 * audience, and when the owner dies without handing the lease back the survivor takes the meeting
 * over and its countdowns still fire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollView, Turnout } from '@diemcau/shared';
import { connect, login, nextEvent, request, type TestApp, type TestSocket } from '../../helpers/app.ts';
import { twoNodes, type TwoNodes } from './two-nodes.ts';
import { until } from '../auth/support.ts';
import { cast, meetingIdOf, okData, userIdOf } from '../voting/helpers.ts';

/** Short, so a takeover takes a second or two rather than five. */
const LEASE_TTL_MS = 1500;

let nodes: TwoNodes;
let a: TestApp;
let b: TestApp;
let meetingId: number;
const open: TestSocket[] = [];

// Node B's connection: it outlives node A.
const sql = <T>(q: string, ...args: unknown[]) => b.app.db.$client.prepare(q).all(...args) as T[];

interface Client {
  socket: TestSocket;
  userId: number;
}
async function member(t: TestApp, username: string): Promise<Client> {
  const socket = await connect(t.url, await login(t.app, username));
  open.push(socket);
  okData(await request(socket, 'meeting:join', { meetingId }));
  return { socket, userId: await userIdOf(t, username) };
}
/** The operator of the bridge point a delegate sits at. */
const operatorOf = (username: string) =>
  sql<{ username: string; bp: number }>(
    `SELECT u.username, bp.id AS bp FROM meeting_delegates md JOIN bridge_points bp ON bp.id = md.bridge_point_id
     JOIN users u ON u.id = bp.operator_user_id JOIN users d ON d.id = md.user_id WHERE md.meeting_id = ? AND d.username = ?`,
    meetingId,
    username,
  )[0]!;

beforeAll(async () => {
  nodes = await twoNodes('lease', (_id, redisUrl) => ({ redisUrl, leaseTtlMs: LEASE_TTL_MS }));
  ({ a, b } = nodes);
  meetingId = await meetingIdOf(a);
}, 180_000);

afterAll(async () => {
  for (const s of open) s.close();
  await nodes?.close();
});

describe('one owner per live meeting, on two nodes', () => {
  let chairA: Client;
  let chairB: Client;
  let phoneA: Client;
  let phoneB: Client;
  let opB: Client & { bp: number };

  it('commands sent to node B for a meeting node A owns run once on A, and both nodes hear them', async () => {
    chairA = await member(a, 'vanphong');
    // The first command takes the lease for the node it reached.
    okData(await request(chairA.socket, 'meeting:start', { meetingId }));
    expect(a.app.lease.owns(meetingId)).toBe(true);
    expect(b.app.lease.owns(meetingId)).toBe(false);

    chairB = await member(b, 'vanphong');
    const op = operatorOf('daibieu01');
    // A delegate of another place, so the secretariat's turnout has rows the others must not get.
    const elsewhere = sql<{ username: string }>(
      `SELECT d.username FROM meeting_delegates md JOIN users d ON d.id = md.user_id
       WHERE md.meeting_id = ? AND md.bridge_point_id IS NOT ? AND d.role = 'delegate' ORDER BY d.id LIMIT 1`,
      meetingId,
      op.bp,
    )[0]!.username;
    phoneA = await member(a, elsewhere);
    phoneB = await member(b, 'daibieu01');
    opB = { ...(await member(b, op.username)), bp: op.bp };
    for (const p of [phoneA, phoneB]) okData(await request(p.socket, 'presence:set-delegate', { meetingId, status: 'present_online' }));

    const requested = okData(await request<{ id: number }>(phoneB.socket, 'floor:request', { meetingId }));
    const seenA = nextEvent<{ speaker: { id: number } }>(phoneA.socket, 'floor:granted');
    const seenB = nextEvent<{ speaker: { id: number } }>(phoneB.socket, 'floor:granted');
    const granted = okData(await request<{ id: number }>(chairB.socket, 'floor:grant', { meetingId, requestId: requested.id }));
    expect(granted.id).toBe(requested.id);
    expect((await seenA).speaker.id).toBe(requested.id);
    expect((await seenB).speaker.id).toBe(requested.id);
    // Applied once: one grant in the floor log, by the chair who sent it to node B.
    const grants = sql<{ n: number }>(`SELECT COUNT(*) AS n FROM floor_log WHERE meeting_id = ? AND kind = 'granted' AND request_id = ?`, meetingId, requested.id);
    expect(grants[0]!.n).toBe(1);
    okData(await request(chairB.socket, 'floor:revoke', { meetingId }));
    // Node B never took the meeting: it forwarded.
    expect(b.app.lease.owns(meetingId)).toBe(false);
  });

  it('a poll opened and voted on through node B reaches every screen on both nodes, shaped for its audience', async () => {
    const payload = { agendaItemId: null, title: 'Biểu quyết trên hai nút', kind: 'approval', mode: 'open', majority: 'simple' };
    const poll = okData(await request<PollView>(chairB.socket, 'poll:create', payload));
    const opened = [chairA, phoneA, phoneB, opB].map((c) => nextEvent<{ turnout: Turnout }>(c.socket, 'poll:opened'));
    okData(await request(chairB.socket, 'poll:open', { pollId: poll.id }));
    const [atChair, atPhoneA, atPhoneB, atOp] = (await Promise.all(opened)).map((e) => e.turnout.byBridgePoint);
    expect(atChair!.length).toBe(2);
    expect(atPhoneA).toEqual([]);
    expect(atPhoneB).toEqual([]);
    expect(atOp!.length).toBe(1);
    expect(atOp![0]!.bridgePointId).toBe(opB.bp);

    // Staff hear turnout (the bridge screen its own place); the ballot cast on B lands once, on A's mirror.
    const turnoutAtOp = nextEvent<Turnout>(opB.socket, 'poll:turnout-changed');
    okData(await cast(phoneB as never, poll.id, ['yes']));
    okData(await cast(phoneA as never, poll.id, ['no']));
    const t = await turnoutAtOp;
    expect(t.byBridgePoint.every((p) => p.bridgePointId === opB.bp)).toBe(true);
    expect(a.app.voting.live.get(poll.id)?.voted.size).toBe(2);
    expect(b.app.voting.live.get(poll.id)).toBeUndefined();

    const closed = [chairA, phoneB, opB].map((c) => nextEvent<{ result: { voted: number; byBridgePoint: unknown[] } }>(c.socket, 'poll:closed'));
    okData(await request(chairB.socket, 'poll:close', { pollId: poll.id }));
    const [rChair, rPhone, rOp] = await Promise.all(closed);
    expect(rChair!.result.voted).toBe(2);
    expect(rPhone!.result.byBridgePoint).toEqual([]);
    expect(rOp!.result.byBridgePoint.length).toBeLessThanOrEqual(1);
    const ballots = sql<{ n: number }>('SELECT COUNT(*) AS n FROM poll_open_ballots WHERE poll_id = ?', poll.id);
    expect(ballots[0]!.n).toBe(2);
  });

  it('when the owner dies without handing the lease back, node B takes the meeting over and its countdowns fire there', async () => {
    const payload = { agendaItemId: null, title: 'Biểu quyết có đếm ngược', kind: 'approval', mode: 'open', majority: 'simple', durationSeconds: 8 };
    const poll = okData(await request<PollView>(chairA.socket, 'poll:create', payload));
    okData(await request(chairA.socket, 'poll:open', { pollId: poll.id }));
    const asked = okData(await request<{ id: number }>(phoneB.socket, 'floor:request', { meetingId }));
    okData(await request(chairA.socket, 'floor:grant', { meetingId, requestId: asked.id, limitSeconds: 15 }));
    okData(await cast(phoneA as never, poll.id, ['yes']));
    expect(a.app.lease.owns(meetingId)).toBe(true);

    const closedAtB = nextEvent<{ poll: PollView; result: { voted: number } }>(chairB.socket, 'poll:closed', 30_000);
    const revokedAtB = nextEvent<{ requestId: number; reason: string }>(phoneB.socket, 'floor:revoked', 40_000);
    // Node A "dies": it stops renewing and never releases.
    a.app.lease.abandon();
    // The sweep claims the meeting once A's lease has expired, with nobody sending a command.
    await until(() => b.app.lease.owns(meetingId), 'node B to take the meeting over', 20_000);
    // Fencing: by then A (still running, as a paused or cut-off node would) no longer acts for the meeting.
    expect(a.app.lease.owns(meetingId)).toBe(false);
    await a.close({ keepData: true });
    expect(b.app.voting.live.get(poll.id)?.voted.has(phoneA.userId)).toBe(true);
    // A command on B now runs on B itself.
    okData(await cast(phoneB as never, poll.id, ['no']));

    const closed = await closedAtB;
    expect(closed.poll.id).toBe(poll.id);
    expect(closed.result.voted).toBe(2);
    const row = sql<{ status: string }>('SELECT status FROM polls WHERE id = ?', poll.id)[0]!;
    expect(row.status).toBe('closed');
    // Closed once, by one node.
    expect(sql<{ n: number }>(`SELECT COUNT(*) AS n FROM poll_chain WHERE poll_id = ? AND payload LIKE '%"type":"closed"%'`, poll.id)[0]!.n).toBe(1);
    const revoked = await revokedAtB;
    expect(revoked).toMatchObject({ requestId: asked.id, reason: 'expired' });
  }, 60_000);
});
