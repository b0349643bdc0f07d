/**
 * Secrets stay out of the request log (QR tokens, session tokens, receipt codes), and per-user
 * limits hold: live connections per user and commands per second per user across connections.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, connect, login, request, type TestApp } from '../../helpers/app.ts';
import { errorCode, meetingIdOf, qrSession, until, userIdOf } from './support.ts';

let t: TestApp;
let log = '';
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _enc, cb) {
      log += String(chunk);
      cb();
    },
  });
  t = await buildTestApp({ config: { maxSocketsPerUser: 2 }, deps: { logger: { level: 'trace', stream }, realtime: { rateBurst: 1e9, ratePerSecond: 1e9, userCommandsPerSecond: 3 } } });
  await t.listen();
});
afterAll(() => t?.close());

describe('secrets in logs', () => {
  it('never writes a QR token, a session token or a receipt code', async () => {
    const sec = await login(t.app, 'vanphong');
    const meetingId = await meetingIdOf(t);
    const issued = await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/qr/delegates/${await userIdOf(t, 'daibieu01')}`, headers: bearer(sec) });
    const qrPath = new URL(issued.json().url).pathname;
    const qrToken = decodeURIComponent(qrPath.split('/')[2]!);
    const { token: qrSessionToken } = await qrSession(t, sec, meetingId, await userIdOf(t, 'daibieu02'));
    const receipt = 'RCPT-7Q4K-XM2P-SECRET';
    const urls = [qrPath, `${qrPath}?lang=en`, `${qrPath}/files/1`, `${qrPath}/no/such/route`, `/api/polls/1/receipts/${receipt}`, `/api/meetings?token=${sec}`];
    for (const url of urls) await t.app.inject({ url, headers: { cookie: `dc_session=${sec}`, authorization: `Bearer ${qrSessionToken}` } });
    await t.app.inject({ method: 'POST', url: `${qrPath}/session`, headers: { accept: 'application/json', origin: t.config.publicBaseUrl } });
    const s = await connect(t.url, sec);
    s.close();
    await until(() => log.includes('/q/[redacted]'), 'the request lines to be logged');
    for (const secret of [qrToken, encodeURIComponent(qrToken), sec, qrSessionToken, receipt]) expect(log, secret).not.toContain(secret);
    expect(log).toContain('/receipts/[redacted]');
  });
});

describe('per-user limits', () => {
  it('refuses a connection over the per-user cap with a typed error, and lets one in again after a close', async () => {
    const token = await login(t.app, 'daibieu03');
    const other = await login(t.app, 'daibieu03');
    const a = await connect(t.url, token);
    const b = await connect(t.url, other);
    const refused = await connect(t.url, token).then(
      (s) => (s.close(), 'connected'),
      (e: unknown) => errorCode(e),
    );
    expect(refused).toBe('TOO_MANY_CONNECTIONS');
    // Other users are not affected.
    (await connect(t.url, await login(t.app, 'daibieu04'))).close();
    a.close();
    const c = await until(() => connect(t.url, token).catch(() => null), 'a free connection slot');
    c.close();
    b.close();
  });

  it('rate-limits one user\'s commands across connections, not other users', async () => {
    const token = await login(t.app, 'daibieu05');
    const [a, b] = [await connect(t.url, token), await connect(t.url, token)];
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => request(i % 2 ? a : b, 'meeting:leave', {})));
    const limited = acks.filter((x) => !x.ok && x.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    expect(acks.filter((x) => x.ok).length).toBeGreaterThan(0);
    const other = await connect(t.url, await login(t.app, 'daibieu06'));
    expect((await until(async () => ((await request(other, 'meeting:leave', {})).ok ? true : null), 'another user to be served'))).toBe(true);
    for (const s of [a, b, other]) s.close();
  });
});
