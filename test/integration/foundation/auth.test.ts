import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ config: { loginRateMax: 5 } });
});
afterAll(() => t.close());

describe('auth', () => {
  it('logs in with a password, sets an HttpOnly SameSite cookie and audits it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'vanphong', password: 'VanPhong@2026' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ username: 'vanphong', role: 'secretariat' });
    expect(body.user.passwordHash).toBeUndefined();
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/dc_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await t.app.inject({ url: '/api/auth/me', cookies: { dc_session: body.token } });
    expect(me.statusCode).toBe(200);
    expect(me.json().provinceId).toBe(body.provinceId);
    const audits = t.app.db.$client.prepare("select actor_user_id as actorUserId from audit_log where action = 'auth.login'").all() as { actorUserId: number }[];
    expect(audits.some((a) => a.actorUserId === body.user.id)).toBe(true);
  });

  it('stores only a hash of the session token', async () => {
    const token = await login(t.app, 'quansat');
    const rows = t.app.db.$client.prepare('select id from sessions').all() as { id: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.id === token)).toBe(false);
  });

  it('rejects a wrong password and an unknown user with the same error', async () => {
    for (const payload of [{ username: 'vanphong', password: 'nope-nope' }, { username: 'ghost', password: 'nope-nope' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('rate-limits repeated logins for one username', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'daibieu02', password: 'wrong-password' } });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, 5).every((c) => c === 401)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'daibieu02', password: 'wrong-password' } });
    expect(res.json().error.code).toBe('RATE_LIMITED');
  });

  it('logs out: the token stops working', async () => {
    const token = await login(t.app, 'daibieu01');
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })).statusCode).toBe(200);
    const after = await t.app.inject({ url: '/api/auth/me', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('ends sessions of a deactivated account', async () => {
    const admin = await login(t.app, 'admin');
    const token = await login(t.app, 'daibieu03');
    const list = await t.app.inject({ url: '/api/users?role=delegate', headers: bearer(admin) });
    const target = list.json().find((u: { username: string }) => u.username === 'daibieu03');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/users/${target.id}`, headers: bearer(admin) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(401);
    const again = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'daibieu03', password: 'DaiBieu@2026' } });
    expect(again.statusCode).toBe(401);
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ url: '/api/auth/me' });
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves OpenAPI docs', async () => {
    const res = await t.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/meetings', '/api/meetings/{id}/agenda/order', '/api/units']));
    expect((await t.app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });
});
