/**
 * "A QR link logs a delegate straight into their meeting page": the session a
 * scan opens is confined to that meeting, cannot reach confidential pages, and
 * dies when the token is revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QrTokenInfo } from '../../../shared/src/index.ts';
import { bearer, connect, nextEvent, noEvent, request } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { auditRows, publish, setup, uploadOk, type Env } from './helpers.ts';

let env: Env;
let mine: QrTokenInfo;
let confId = 0;
let otherMeeting = 0;
const path = (t: QrTokenInfo) => new URL(t.url).pathname;

/** POSTs the landing page's "enter the meeting" form and returns the session token it set. */
async function enter(t: QrTokenInfo, cookie?: string) {
  // Exactly what the browser sends for the landing page's form.
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: env.t.config.publicBaseUrl, ...(cookie && { cookie }) };
  const res = await env.t.app.inject({ method: 'POST', url: `${path(t)}/session`, headers, payload: '' });
  const set = String(res.headers['set-cookie'] ?? '');
  return { res, token: /dc_session=([^;]+)/.exec(set)?.[1] ?? null, set };
}

beforeAll(async () => {
  env = await setup();
  const conf = await uploadOk(env, await makePdf(1), { title: 'Mật', classification: 'confidential' });
  confId = conf.id;
  await publish(env, confId);
  const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/delegates/${env.userId('daibieu01')}`, headers: bearer(env.tokens.vanphong!) });
  expect(res.statusCode).toBe(201);
  mine = res.json() as QrTokenInfo;
  const chair = env.t.app.db.$client.prepare('SELECT chair_unit_id AS c FROM meetings WHERE id = ?').get(env.meetingId) as { c: number };
  const created = await env.t.app.inject({
    method: 'POST',
    url: '/api/meetings',
    headers: bearer(env.tokens.vanphong!),
    payload: { title: 'Họp khác', kind: 'executive_committee', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T03:00:00.000Z', chairUnitId: chair.c },
  });
  otherMeeting = created.json().id as number;
  // daibieu01 is invited to the other meeting too: the QR session still must not reach it.
  const inv = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${otherMeeting}/delegates`, headers: bearer(env.tokens.vanphong!), payload: { userIds: [env.userId('daibieu01')] } });
  expect(inv.statusCode).toBeLessThan(300);
});
afterAll(async () => {
  await env?.close();
});

describe('QR sign-in', () => {
  it('the landing page offers "Vào phòng họp" to a delegate, and posting it opens the meeting page', async () => {
    const page = await env.t.app.inject({ url: path(mine) });
    expect(page.body).toContain(`action="${path(mine)}/session"`);
    const { res, token, set } = await enter(mine);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/meetings/${env.meetingId}/delegate`);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(token).toBeTruthy();
    const me = await env.t.app.inject({ url: '/api/auth/me', headers: bearer(token!) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { username: 'daibieu01' }, scopeMeetingId: env.meetingId });
    expect(auditRows(env, 'auth.qr_login').some((r) => r.actor_user_id === env.userId('daibieu01'))).toBe(true);
  });

  it('is confined to its meeting over HTTP and Socket.IO', async () => {
    const { token } = await enter(mine);
    const list = await env.t.app.inject({ url: '/api/meetings', headers: bearer(token!) });
    expect((list.json() as { id: number }[]).map((m) => m.id)).toEqual([env.meetingId]);
    expect((await env.t.app.inject({ url: `/api/meetings/${env.meetingId}`, headers: bearer(token!) })).statusCode).toBe(200);
    const other = await env.t.app.inject({ url: `/api/meetings/${otherMeeting}`, headers: bearer(token!) });
    expect(other.statusCode).toBe(403);
    // The same delegate signed in by password does reach the other meeting.
    expect((await env.t.app.inject({ url: `/api/meetings/${otherMeeting}`, headers: bearer(env.tokens.daibieu01!) })).statusCode).toBe(200);

    const s = await connect(env.t.url, token!);
    try {
      expect((await request(s, 'meeting:join', { meetingId: env.meetingId })).ok).toBe(true);
      const refused = await request(s, 'meeting:join', { meetingId: otherMeeting });
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.code).toBe('NOT_MEMBER');
    } finally {
      s.close();
    }
  });

  it('cannot open confidential pages; a password session can', async () => {
    const { token } = await enter(mine);
    const url = `/api/meetings/${env.meetingId}/documents/${confId}/pages/1`;
    const res = await env.t.app.inject({ url, headers: bearer(token!) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CONFIDENTIAL');
    expect(auditRows(env, 'document.confidential_denied').length).toBeGreaterThan(0);
    const ok = await env.t.app.inject({ url, headers: bearer(env.tokens.daibieu01!) });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
  });

  it('keeps an existing password session of the same delegate instead of downgrading it', async () => {
    const { res, token } = await enter(mine, `dc_session=${env.tokens.daibieu01!}`);
    expect(res.statusCode).toBe(303);
    expect(token).toBeNull();
  });

  it('refuses venue codes and bad tokens with typed errors', async () => {
    const v = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/venue`, headers: bearer(env.tokens.vanphong!), payload: {} });
    const venue = v.json() as QrTokenInfo;
    expect((await env.t.app.inject({ url: path(venue) })).body).not.toContain('/session"');
    const vr = await env.t.app.inject({ method: 'POST', url: `${path(venue)}/session`, headers: { accept: 'application/json' } });
    expect(vr.statusCode).toBe(403);
    expect(vr.json().error.code).toBe('FORBIDDEN');
    const bad = await env.t.app.inject({ method: 'POST', url: '/q/not-a-token/session' });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Mã QR không hợp lệ');
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('ends every session it opened when the token is revoked, live connections included', async () => {
    const { token } = await enter(mine);
    expect((await env.t.app.inject({ url: '/api/auth/me', headers: bearer(token!) })).statusCode).toBe(200);
    const qrSocket = await connect(env.t.url, token!);
    const pwSocket = await connect(env.t.url, env.tokens.daibieu01!);
    const cut = nextEvent<string>(qrSocket, 'disconnect');
    const kept = noEvent(pwSocket, 'disconnect', 500);
    const rev = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/tokens/${mine.jti}/revoke`, headers: bearer(env.tokens.vanphong!) });
    expect(rev.statusCode).toBe(200);
    expect((await env.t.app.inject({ url: '/api/auth/me', headers: bearer(token!) })).statusCode).toBe(401);
    const again = await env.t.app.inject({ method: 'POST', url: `${path(mine)}/session`, headers: { accept: 'application/json' } });
    expect(again.json().error.code).toBe('TOKEN_REVOKED');
    expect(await cut).toBe('io server disconnect');
    // The delegate's password session, and its connection, are untouched.
    expect(await kept).toBe(true);
    expect((await env.t.app.inject({ url: '/api/auth/me', headers: bearer(env.tokens.daibieu01!) })).statusCode).toBe(200);
    qrSocket.close();
    pwSocket.close();
  });
});
