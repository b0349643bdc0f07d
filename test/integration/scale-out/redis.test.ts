/**
 * Two nodes sharing one Redis (REDIS_URL) and one database: broadcasts, connection-state recovery,
 * rate limits, the per-user connection cap and session revocation hold across them. A real
 * redis-server runs for the file (scripts/lib/services.mjs installs it from Debian when missing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connect, login, nextEvent, request, type TestApp, type TestSocket } from '../../helpers/app.ts';
import { twoNodes, type TwoNodes } from './two-nodes.ts';
import { droppedSocket, errorCode, meetingIdOf, qrSession, recover, until, userIdOf } from '../auth/support.ts';

const MAX_SOCKETS = 3;
const LOGIN_RATE = 3;

let nodes: TwoNodes;
let a: TestApp;
let b: TestApp;
let meetingId: number;
const open: TestSocket[] = [];

const track = (s: TestSocket) => (open.push(s), s);

beforeAll(async () => {
  // The once-a-second session sweep is pushed out of the way, so a prompt cut proves the cross-node notice.
  nodes = await twoNodes('scale', (_id, redisUrl) => ({ redisUrl, maxSocketsPerUser: MAX_SOCKETS, loginRateMax: LOGIN_RATE }), { realtime: { sessionRecheckMs: 10 * 60_000 } });
  ({ a, b } = nodes);
  meetingId = await meetingIdOf(a);
}, 180_000);

afterAll(async () => {
  for (const s of open) s.close();
  await nodes?.close();
});

describe('two nodes on one Redis', () => {
  it('a meeting broadcast made on node A reaches a member connected to node B', async () => {
    const token = await login(b.app, 'daibieu01');
    const s = track(await connect(b.url, token));
    expect((await request(s, 'meeting:join', { meetingId })).ok).toBe(true);
    const got = nextEvent<{ reason: string }>(s, 'session:resync');
    a.app.realtime.toMeeting(meetingId).emit('session:resync', { reason: 'from node A' });
    expect((await got).reason).toBe('from node A');
  });

  it('a client whose transport drops on node A resumes on node B, recovered, with the broadcast it missed', async () => {
    const token = await login(a.app, 'daibieu02');
    const s = track(await connect(a.url, token));
    expect((await request(s, 'meeting:join', { meetingId })).ok).toBe(true);
    // One broadcast first, so the client holds an offset to resume from.
    const first = nextEvent(s, 'session:resync');
    a.app.realtime.toMeeting(meetingId).emit('session:resync', { reason: 'before the drop' });
    await first;
    const reasons: string[] = [];
    s.on('session:resync', (p) => reasons.push(p.reason));
    const id = s.id!;
    const raw = s as unknown as { io: { uri: string; engine: { close(): void } } };
    raw.io.engine.close();
    await until(() => !a.app.realtime.io.of('/').sockets.has(id), 'node A to see the drop');
    a.app.realtime.toMeeting(meetingId).emit('session:resync', { reason: 'missed' });
    // The load balancer sends the reconnect to the other node.
    raw.io.uri = b.url;
    const back = nextEvent(s, 'connect');
    s.connect();
    await back;
    expect(s.recovered).toBe(true);
    expect(b.app.realtime.io.of('/').sockets.get(s.id!)?.data.meetingId).toBe(meetingId);
    await until(() => reasons.includes('missed'), 'the missed broadcast');
  });

  it('a per-user push made on node A reaches the user on node B, a QR connection only for its own meeting', async () => {
    const uid = await userIdOf(a, 'daibieu05');
    const full = track(await connect(b.url, await login(b.app, 'daibieu05')));
    const qr = track(await connect(b.url, (await qrSession(a, await login(a.app, 'vanphong'), meetingId, uid)).token));
    const heard = (s: TestSocket) => {
      const got: number[] = [];
      (s as unknown as { on(e: string, f: (p: { meetingId: number }) => void): void }).on('document:published', (p) => got.push(p.meetingId));
      return got;
    };
    const [byFull, byQr] = [heard(full), heard(qr)];
    const push = (m: number) => a.app.realtime.toUser(uid).emit('document:published', { meetingId: m } as never);
    // In this order on one stream: the QR connection's first push must be its own meeting's.
    push(meetingId + 1000);
    push(meetingId);
    await until(() => byFull.length === 2 && byQr.length === 1, 'both pushes on node B');
    expect(byFull).toEqual([meetingId + 1000, meetingId]);
    expect(byQr).toEqual([meetingId]);
  });

  it('a login budget spent on node A is refused on node B', async () => {
    const attempt = (t: TestApp) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'daibieu09', password: 'wrong password' } });
    for (let i = 0; i < LOGIN_RATE; i++) expect((await attempt(a)).statusCode).toBe(401);
    const refused = await attempt(b);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
  });

  it('the per-user connection cap counts the sockets on both nodes, and frees a closed one', async () => {
    const token = await login(a.app, 'daibieu03');
    const onA = [track(await connect(a.url, token)), track(await connect(a.url, token))];
    track(await connect(b.url, token));
    for (const t of [b, a]) {
      const err = await connect(t.url, token).then(
        (s) => (s.close(), 'connected'),
        (e: unknown) => errorCode(e),
      );
      expect(err).toBe('TOO_MANY_CONNECTIONS');
    }
    onA[0]!.close();
    await until(() => !a.app.realtime.io.of('/').sockets.has(onA[0]!.id ?? ''), 'node A to see the close');
    track(await connect(b.url, token));
  });

  it('a logout through node A cuts the session’s socket on node B at once, and its recovery is refused', async () => {
    const token = await login(a.app, 'daibieu04');
    const live = track(await connect(b.url, token));
    expect((await request(live, 'meeting:join', { meetingId })).ok).toBe(true);
    const dropped = await droppedSocket(b, token, meetingId);
    const cut = nextEvent<string>(live, 'disconnect', 30_000);
    expect((await a.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })).statusCode).toBe(200);
    expect(await cut).toBe('io server disconnect');
    // Recovery on either node reads the session Redis kept; the session's end refuses it on both.
    for (const t of [a, b]) {
      const err = await recover(t, token, dropped).then(
        (s) => (s.close(), 'recovered'),
        (e: unknown) => errorCode(e),
      );
      expect(err).toBe('UNAUTHENTICATED');
    }
  });
});
