/**
 * Issue 12's multi-node test: two compiled server processes on loopback share one Redis and one
 * PostgreSQL database (so it runs in the PostgreSQL pass, scripts/test-pg.mjs); clients split across them follow one meeting (agenda, floor, poll, results); ballots are
 * cast on both nodes; the node that owns the meeting is killed with SIGKILL mid-poll; its clients
 * reconnect to the other node and retry their unanswered casts with the same ballot id. Every acked
 * ballot is stored exactly once, nobody has two, the poll's countdown still closes it (on the
 * survivor), every client hears the result, and the poll's chain verifies.
 *
 * Everything is checked through the HTTP API rather than the database.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, PollView } from '@diemcau/shared';
import { buildServer } from '../../../scripts/build.mjs';
import { freePort, startRedis, type RedisService } from '../../../scripts/lib/services.mjs';
import { connect, demoPassword, nextEvent, pgDatabaseOf, removeDataDir, request, type TestSocket } from '../../helpers/app.ts';
import { pgUrl } from '../../helpers/database.ts';
import { until } from '../auth/support.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
/** A dead owner's meetings are taken over within about this long. */
const LEASE_TTL_MS = 2000;
/** The poll's countdown: long enough for the casts, the kill and the reconnects on a busy machine. */
const POLL_SECONDS = 30;
const READY_MS = 120_000;
const DELEGATES = Array.from({ length: 16 }, (_, i) => `daibieu${String(i + 1).padStart(2, '0')}`);

/** The database the nodes share: one PostgreSQL database, named in the shared data dir. */
const databaseEnv = async (dataDir: string): Promise<NodeJS.ProcessEnv> => ({ DATA_DIR: dataDir, DATABASE_URL: (await pgDatabaseOf(dataDir))! });

interface Node {
  id: string;
  url: string;
  child: ChildProcess;
  output: string;
}

let redis: RedisService;
let dataDir = '';
let entry = '';
const nodes: Node[] = [];
const sockets: TestSocket[] = [];

async function startNode(id: string, index: number): Promise<Node> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(await databaseEnv(dataDir)),
    NODE_ID: id,
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    // One secret for both: each node must unwrap the other's ballot keys.
    APP_SECRET: 'multinode-test-secret-0123456789abcdef',
    WEB_DIST_DIR: join(dataDir, 'no-web'),
    LOG_LEVEL: 'warn',
    RTC_MIN_PORT: String(40000 + index * 1000),
    RTC_MAX_PORT: String(40999 + index * 1000),
  };
  const child = spawn(process.execPath, [entry], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const node: Node = { id, url: `http://127.0.0.1:${port}`, child, output: '' };
  nodes.push(node);
  child.stdout!.on('data', (c: Buffer) => (node.output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (node.output += c.toString()));
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node ${id} exited with ${child.exitCode}:\n${node.output}`);
    if (Date.now() > deadline) throw new Error(`node ${id} did not answer within ${READY_MS / 1000} s:\n${node.output}`);
    if (await fetch(`${node.url}/api/health`).then((r) => r.status === 200, () => false)) return node;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function login(node: Node, username: string): Promise<string> {
  const res = await fetch(`${node.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: demoPassword(username) }),
  });
  if (res.status !== 200) throw new Error(`login ${username} on ${node.id}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function api<T>(node: Node, token: string, path: string): Promise<T> {
  const res = await fetch(`${node.url}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${path} on ${node.id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const data = <T>(ack: Ack<T>, what: string): T => {
  if (!ack.ok) throw new Error(`${what}: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
};

async function open(node: Node, token: string, meetingId: number): Promise<{ socket: TestSocket; snapshot: { agenda: { currentItemId: number | null; items: { id: number }[] } } }> {
  const socket = await connect(node.url, token);
  sockets.push(socket);
  const snapshot = data(await request<{ agenda: { currentItemId: number | null; items: { id: number }[] } }>(socket, 'meeting:join', { meetingId }), `join on ${node.id}`);
  return { socket, snapshot };
}

// PostgreSQL is what several nodes share in production; the SQLite pass leaves this test to the PostgreSQL pass.
const onPostgres = pgUrl() !== null;

beforeAll(async () => {
  if (!onPostgres) return;
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'diemcau-multinode-'));
  // Its own output folder, as in compiled-start.test.ts: never pull server/dist from under a running server.
  entry = await buildServer(join(root, 'server', `.dist-multinode-${process.pid}`));
  // One after the other: the first migrates and seeds the shared database, the second finds it ready.
  await startNode('node1', 0);
  await startNode('node2', 1);
}, 300_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const n of nodes) {
    if (n.child.exitCode === null && n.child.signalCode === null) {
      const exited = new Promise((r) => n.child.once('exit', r));
      n.child.kill('SIGKILL');
      await exited;
    }
  }
  await redis?.stop();
  if (dataDir) await removeDataDir(dataDir);
  if (entry) rmSync(dirname(entry), { recursive: true, force: true });
});

interface Voter {
  username: string;
  token: string;
  node: Node;
  socket: TestSocket;
  ballotId: string;
  choice: string;
  acked: boolean;
}

describe.runIf(onPostgres)('two server processes on PostgreSQL and Redis, one killed mid-poll', () => {
  it('keeps every acked ballot exactly once, closes the poll by its countdown on the survivor, and the chain verifies', async () => {
    const [n1, n2] = nodes as [Node, Node];
    const chairToken = await login(n1, 'vanphong');
    const meetingId = Math.min(...(await api<{ id: number }[]>(n1, chairToken, '/meetings')).map((m) => m.id));

    // The first command reaches node 1, so node 1 takes the meeting's lease and runs it.
    const chair1 = await open(n1, chairToken, meetingId);
    const started = await request(chair1.socket, 'meeting:start', { meetingId });
    if (!started.ok && started.error.code !== 'ILLEGAL_TRANSITION') data(started, 'meeting:start');
    const leaseHolder = () => execFileSync('redis-cli', ['-p', String(redis.port), 'GET', `diemcau:lease:meeting:${meetingId}`], { encoding: 'utf8' }).trim();
    expect(leaseHolder().startsWith('node1:')).toBe(true);
    const chair2 = await open(n2, chairToken, meetingId);

    // Delegates split across the nodes: the invited ones, alternately.
    const voters: Voter[] = [];
    for (const username of DELEGATES) {
      const node = voters.length % 2 === 0 ? n1 : n2;
      const token = await login(node, username);
      const socket = await connect(node.url, token);
      sockets.push(socket);
      const joined = await request(socket, 'meeting:join', { meetingId });
      if (!joined.ok) {
        socket.close();
        continue;
      }
      data(await request(socket, 'presence:set-delegate', { meetingId, status: 'present_online' }), `${username} present`);
      voters.push({ username, token, node, socket, ballotId: randomUUID(), choice: voters.length % 3 === 0 ? 'no' : 'yes', acked: false });
    }
    expect(voters.filter((v) => v.node === n1).length).toBeGreaterThanOrEqual(3);
    expect(voters.filter((v) => v.node === n2).length).toBeGreaterThanOrEqual(3);
    const on1 = voters.find((v) => v.node === n1)!;
    const on2 = voters.find((v) => v.node === n2)!;

    // Agenda, changed on node 2 (forwarded to the owner), is seen on both.
    const item = chair2.snapshot.agenda.items.find((i) => i.id !== chair2.snapshot.agenda.currentItemId)!.id;
    const agendaSeen = [on1, on2].map((v) => nextEvent<{ agenda: { currentItemId: number } }>(v.socket, 'agenda:changed'));
    data(await request(chair2.socket, 'agenda:set-current', { meetingId, itemId: item }), 'agenda:set-current');
    for (const e of await Promise.all(agendaSeen)) expect(e.agenda.currentItemId).toBe(item);

    // Floor: asked for on node 2, granted on node 1, seen on both.
    const asked = data(await request<{ id: number }>(on2.socket, 'floor:request', { meetingId }), 'floor:request');
    const floorSeen = [on1, on2].map((v) => nextEvent<{ speaker: { id: number } }>(v.socket, 'floor:granted'));
    data(await request(chair1.socket, 'floor:grant', { meetingId, requestId: asked.id }), 'floor:grant');
    for (const e of await Promise.all(floorSeen)) expect(e.speaker.id).toBe(asked.id);
    data(await request(chair1.socket, 'floor:revoke', { meetingId }), 'floor:revoke');

    // A poll with a countdown, opened through node 2.
    const create = { agendaItemId: null, title: 'Biểu quyết khi một nút chết', kind: 'approval', mode: 'open', majority: 'simple', durationSeconds: POLL_SECONDS };
    const poll = data(await request<PollView>(chair2.socket, 'poll:create', create), 'poll:create');
    const openedSeen = voters.map((v) => nextEvent(v.socket, 'poll:opened'));
    data(await request(chair2.socket, 'poll:open', { pollId: poll.id }), 'poll:open');
    await Promise.all(openedSeen);

    const castOnce = (v: Voter, timeoutMs: number) =>
      request(v.socket, 'vote:cast', { pollId: poll.id, choices: [v.choice], ballotId: v.ballotId }, timeoutMs).then(
        (ack) => {
          if (ack.ok) v.acked = true;
          return ack;
        },
        () => null,
      );
    // A first third votes before anything happens, on both nodes.
    const early = voters.slice(0, Math.ceil(voters.length / 3));
    for (const a of await Promise.all(early.map((v) => castOnce(v, 30_000)))) expect(a?.ok).toBe(true);

    // The rest vote while node 1 (the owner) is killed outright.
    const late = voters.slice(early.length);
    const inFlight = late.map((v) => castOnce(v, 8_000));
    await new Promise((r) => setImmediate(r));
    n1.child.kill('SIGKILL');
    const killedAt = performance.now();
    // Node 2 takes the meeting over: at the latest by its sweep, a lease lifetime after node 1's last renewal.
    const takeover = until(() => leaseHolder().startsWith('node2:'), 'node 2 to hold the lease', 30_000).then(() => Math.round(performance.now() - killedAt));
    await Promise.all(inFlight);
    const answeredBeforeRetry = late.filter((v) => v.acked).length;
    const takeoverMs = await takeover;

    // Node 1's clients reconnect to node 2 (as a load balancer would send them) and retry what was
    // not answered, with the same ballot id; everyone else retries unanswered casts too.
    const closedSeen: Promise<{ poll: PollView; result: { voted: number } }>[] = [];
    for (const v of voters) {
      if (v.node === n1) {
        v.socket.close();
        v.node = n2;
        v.socket = (await open(n2, v.token, meetingId)).socket;
      }
      closedSeen.push(nextEvent(v.socket, 'poll:closed', (POLL_SECONDS + 60) * 1000));
    }
    const chairClosed = nextEvent<{ result: { voted: number } }>(chair2.socket, 'poll:closed', (POLL_SECONDS + 60) * 1000);
    for (const v of voters) {
      if (v.acked) continue;
      await until(async () => (await castOnce(v, 10_000))?.ok === true, `${v.username}'s retried cast`, 40_000);
    }
    // A retry of an answered cast gets the same answer rather than ALREADY_VOTED.
    const again = await castOnce(early[0]!, 30_000);
    expect(again?.ok).toBe(true);

    // Nobody closes the poll by hand: its countdown does, on the survivor.
    const result = await chairClosed;
    expect(result.result.voted).toBe(voters.length);
    for (const c of await Promise.all(closedSeen)) expect(c.poll.id).toBe(poll.id);

    const ballots = await api<{ ballots: { voterId: number | null; choices: string[] }[] }>(n2, chairToken, `/polls/${poll.id}/ballots`);
    const ids = ballots.ballots.map((b) => b.voterId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(voters.length);
    const byUser = new Map<number, string[]>();
    for (const b of ballots.ballots) byUser.set(b.voterId!, b.choices);
    const meVoters = await Promise.all(voters.map(async (v) => ({ v, me: await api<{ user: { id: number } }>(n2, v.token, '/auth/me') })));
    for (const { v, me } of meVoters) expect(byUser.get(me.user.id), v.username).toEqual([v.choice]);

    const verify = await api<{ ok: boolean; problems: string[] }>(n2, chairToken, `/polls/${poll.id}/verify`);
    expect(verify.problems).toEqual([]);
    expect(verify.ok).toBe(true);
    const detail = await api<{ status?: string; poll?: { status: string } }>(n2, chairToken, `/polls/${poll.id}`);
    expect(detail.poll?.status ?? detail.status).toBe('closed');
    expect(n1.child.signalCode).toBe('SIGKILL');
    console.log(`[multinode] ${voters.length} voters, ${late.length} voting across the kill (${answeredBeforeRetry} answered without a retry); lease on node 2 ${takeoverMs} ms after the kill (lease ${LEASE_TTL_MS} ms)`);
  }, 240_000);
});
