// The realtime plugin: handshake auth and protocol version, membership on join, typed error acks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, connect, login, nextEvent, request, type TestApp, type TestSocket } from '../../helpers/app.ts';

let t: TestApp;
const sockets: TestSocket[] = [];
const open = async (username: string | null, protocol?: number) => {
  const s = await connect(t.url, username ? await login(t.app, username) : undefined, { protocol });
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  t = await buildTestApp({ deps: { realtime: { rateBurst: 30, ratePerSecond: 5 } } });
  await t.listen();
});
afterEach(() => {
  while (sockets.length) sockets.pop()!.close();
});
afterAll(() => t.close());

describe('realtime handshake and dispatch', () => {
  it('refuses a connection without a session', async () => {
    await expect(open(null)).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
  });

  it('cuts the live connections of an account that is deactivated', async () => {
    const s = await open('daibieu30');
    const other = await open('daibieu29');
    const cut = nextEvent<string>(s, 'disconnect');
    const admin = await login(t.app, 'admin');
    const id = (t.app.db.$client.prepare('SELECT id FROM users WHERE username = ?').get('daibieu30') as { id: number }).id;
    const res = await t.app.inject({ method: 'DELETE', url: `/api/users/${id}`, headers: { authorization: `Bearer ${admin}` } });
    expect(res.statusCode).toBe(200);
    expect(await cut).toBe('io server disconnect');
    expect(other.connected).toBe(true);
  });

  it('logging out cuts the connections of that session only', async () => {
    const a = await login(t.app, 'daibieu28');
    const b = await login(t.app, 'daibieu28');
    const sa = await connect(t.url, a);
    const sb = await connect(t.url, b);
    sockets.push(sa, sb);
    const cut = nextEvent<string>(sa, 'disconnect');
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${a}` } });
    expect(res.statusCode).toBe(200);
    expect(await cut).toBe('io server disconnect');
    expect(sb.connected).toBe(true);
  });

  it('refuses a protocol mismatch with a typed error', async () => {
    await expect(open('vanphong', 999)).rejects.toMatchObject({ data: { code: 'PROTOCOL_MISMATCH' } });
  });

  it('accepts the session cookie as well as the token', async () => {
    const { io } = await import('socket.io-client');
    const token = await login(t.app, 'daibieu01');
    const s = io(t.url, { transports: ['websocket'], auth: { protocol: 1 }, extraHeaders: { cookie: `dc_session=${token}` }, reconnection: false, forceNew: true });
    sockets.push(s as unknown as TestSocket);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    const ack = await request(s as unknown as TestSocket, 'meeting:join', { meetingId: 1 });
    expect(ack.ok).toBe(true);
  });

  it('lets a member join and answers with a snapshot', async () => {
    const s = await open('cau.99101');
    const ack = await request<{ meetingId: number; membership: { kind: string } }>(s, 'meeting:join', { meetingId: 1 });
    expect(ack).toMatchObject({ ok: true, data: { meetingId: 1, membership: { kind: 'bridge' } } });
  });

  it('refuses a non-member and an unknown meeting', async () => {
    const admin = await login(t.app, 'admin');
    const me = await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${await login(t.app, 'cau.tinh2')}` } });
    await t.app.inject({ method: 'DELETE', url: `/api/meetings/1/bridge-points/${me.json().bridgePointId}`, headers: { authorization: `Bearer ${admin}` } });
    const s = await open('cau.tinh2');
    expect(await request(s, 'meeting:join', { meetingId: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
    expect(await request(s, 'meeting:join', { meetingId: 424242 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('answers unknown events, malformed and oversized payloads with typed errors and stays connected', async () => {
    const s = await open('daibieu01');
    expect(await request(s, 'no:such-event', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
    for (const bad of [null, 'x', 5, [], { meetingId: 'one' }, { meetingId: 1, extra: true }, { meetingId: -3 }]) {
      expect(await request(s, 'meeting:join', bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    expect(await request(s, 'meeting:join', { meetingId: 1, pad: 'x'.repeat(64 * 1024) })).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(s.connected).toBe(true);
    expect(await request(s, 'meeting:join', { meetingId: 1 })).toMatchObject({ ok: true });
  });

  it('rate-limits a socket that floods commands', async () => {
    const s = await open('daibieu02');
    const acks = await Promise.all(Array.from({ length: 60 }, () => request(s, 'meeting:leave', {})));
    const limited = acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(30);
    expect(s.connected).toBe(true);
  });
});
