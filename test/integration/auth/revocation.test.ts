/**
 * Revocation holds on every path: logout, own password change, deactivation, QR revocation and
 * session expiry end access over HTTP, on a live socket, and for a connection that comes back
 * through Socket.IO connection-state recovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, connect, login, nextEvent, request, type TestApp } from '../../helpers/app.ts';
import { droppedSocket, errorCode, meetingIdOf, qrSession, recover, userIdOf } from './support.ts';

let t: TestApp;
let meetingId: number;
let sec: string;
let admin: string;

beforeAll(async () => {
  t = await buildTestApp();
  await t.listen();
  meetingId = await meetingIdOf(t);
  sec = await login(t.app, 'vanphong');
  admin = await login(t.app, 'admin');
});
afterAll(() => t?.close());

const me = async (token: string) => (await t.app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode;

/** Holds a live joined socket and a dropped, recoverable one on `token`; runs `end`; checks all three paths. */
async function expectEndsEverywhere(token: string, end: () => Promise<void>) {
  const live = await connect(t.url, token);
  expect((await request(live, 'meeting:join', { meetingId })).ok).toBe(true);
  const dropped = await droppedSocket(t, token, meetingId);
  const cut = nextEvent<string>(live, 'disconnect', 20_000);
  await end();
  expect(await cut).toBe('io server disconnect');
  expect(await me(token)).toBe(401);
  const err = await recover(t, token, dropped).then(
    (s) => (s.close(), 'recovered'),
    (e: unknown) => errorCode(e),
  );
  expect(err).toBe('UNAUTHENTICATED');
}

describe('revocation', () => {
  it('recovers a dropped connection of a live session (the path the other cases refuse)', async () => {
    const token = await login(t.app, 'daibieu04');
    const dropped = await droppedSocket(t, token, meetingId);
    const s = await recover(t, token, dropped);
    // The client only flags recovery for its own pid; the server side says it recovered, back in its meeting.
    const server = t.app.realtime.io.of('/').sockets.get(s.id!);
    expect(server?.recovered).toBe(true);
    expect(server?.data.meetingId).toBe(meetingId);
    s.close();
  });

  it('logout', async () => {
    const token = await login(t.app, 'daibieu05');
    await expectEndsEverywhere(token, async () => {
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })).statusCode).toBe(200);
    });
  });

  it('own password change ends the other sessions, keeps the one that changed it', async () => {
    const token = await login(t.app, 'daibieu06');
    const changer = await login(t.app, 'daibieu06');
    await expectEndsEverywhere(token, async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(changer), payload: { currentPassword: 'DaiBieu@2026', newPassword: 'Sông Hồng chảy mãi 1975' } });
      expect(res.statusCode, res.body).toBe(200);
    });
    expect(await me(changer)).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'daibieu06', password: 'DaiBieu@2026' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'daibieu06', password: 'Sông Hồng chảy mãi 1975' } })).statusCode).toBe(200);
  });

  it('deactivation', async () => {
    const token = await login(t.app, 'daibieu07');
    await expectEndsEverywhere(token, async () => {
      expect((await t.app.inject({ method: 'DELETE', url: `/api/users/${await userIdOf(t, 'daibieu07')}`, headers: bearer(admin) })).statusCode).toBe(200);
    });
  });

  it('QR revocation', async () => {
    const { token, jti } = await qrSession(t, sec, meetingId, await userIdOf(t, 'daibieu08'));
    await expectEndsEverywhere(token, async () => {
      const res = await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/qr/tokens/${jti}/revoke`, headers: bearer(sec) });
      expect(res.statusCode).toBe(200);
    });
  });

  it('session expiry cuts the live socket at expiresAt, refuses its commands and its recovery', async () => {
    const token = await login(t.app, 'daibieu09');
    const dropped = await droppedSocket(t, token, meetingId);
    const soon = new Date(Date.now() + 2500).toISOString();
    t.app.db.$client.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?').run(soon, await userIdOf(t, 'daibieu09'));
    // Connected after the change, so the socket knows its session ends in 2.5 s.
    const live = await connect(t.url, token);
    expect((await request(live, 'meeting:join', { meetingId })).ok).toBe(true);
    expect(await nextEvent<string>(live, 'disconnect', 25_000)).toBe('io server disconnect');
    expect(await me(token)).toBe(401);
    await expect(recover(t, token, dropped).then((s) => (s.close(), 'recovered'))).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
  });

  it('a session that ended behind the socket\'s back (no notice) is cut within seconds, and its recovery refused', async () => {
    const token = await login(t.app, 'daibieu10');
    const s = await connect(t.url, token);
    expect((await request(s, 'meeting:join', { meetingId })).ok).toBe(true);
    const dropped = await droppedSocket(t, token, meetingId);
    const other = await connect(t.url, await login(t.app, 'daibieu11'));
    const cut = nextEvent<string>(s, 'disconnect', 20_000);
    // Another process or a manual clean-up: the row is gone but nobody told this process's sockets.
    t.app.db.$client.prepare('DELETE FROM sessions WHERE user_id = ?').run(await userIdOf(t, 'daibieu10'));
    expect(await cut).toBe('io server disconnect');
    await expect(recover(t, token, dropped).then((x) => (x.close(), 'recovered'))).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    // The sweep cut only the ended session's connections.
    expect(other.connected).toBe(true);
    expect((await request(other, 'meeting:join', { meetingId })).ok).toBe(true);
    other.close();
  });
});
