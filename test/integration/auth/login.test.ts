/**
 * Login throttling keys on the canonical username the lookup uses plus the IP; failed logins
 * are audited; weak passwords are refused with typed codes; a user changes their own password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, type TestApp } from '../../helpers/app.ts';
import { canonicalUsername } from '../../../server/src/modules/auth/password-policy.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ config: { loginRateMax: 4, loginIpRateMax: 12 } });
});
afterAll(() => t?.close());

const attempt = (username: string, ip: string, password = 'wrong-password') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { username, password } });

describe('login throttling', () => {
  it('counts every spelling of one username against one bucket', async () => {
    // Case, spaces, fullwidth letters and a decomposed/compatibility form all fold to 'quansat'.
    const variants = ['QuanSat', ' quansat ', 'ｑｕａｎｓａｔ', 'QUANSAT'];
    const codes: number[] = [];
    for (const [i, v] of variants.entries()) codes.push((await attempt(v, `10.0.1.${i + 1}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401]);
    const fifth = await attempt('quanｓat', '10.0.1.9');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error.code).toBe('RATE_LIMITED');
    // The correct password is refused too while the bucket is full.
    expect((await attempt('quansat', '10.0.1.10', 'QuanSat@2026')).statusCode).toBe(429);
  });

  it('folds decomposed and composed, fullwidth and ASCII, case and padding into one form', () => {
    expect(canonicalUsername('Nguye\u0302\u0303n')).toBe(canonicalUsername('NGUYỄN'));
    expect(canonicalUsername('\u3000ＡＤＭＩＮ ')).toBe('admin');
  });

  it('the canonical form finds the account: a fullwidth or padded username signs in', async () => {
    const res = await attempt('  ＣＡＵ.991 ', '10.0.2.1', 'DiemCau@2026');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user.username).toBe('cau.991');
  });

  it('limits one IP across usernames', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 13; i++) codes.push((await attempt(`nobody${i}`, '10.0.3.1')).statusCode);
    expect(codes.slice(0, 12).every((c) => c === 401)).toBe(true);
    expect(codes[12]).toBe(429);
    // Another address is not affected.
    expect((await attempt('nobody99', '10.0.3.2')).statusCode).toBe(401);
  });

  it('audits failed logins with the canonical username and the IP', async () => {
    await attempt('Ghost.User', '10.0.4.1');
    const rows = t.app.db.$client.prepare("SELECT details, ip FROM audit_log WHERE action = 'auth.login_failed'").all() as { details: string; ip: string }[];
    const mine = rows.find((r) => r.ip === '10.0.4.1');
    expect(mine).toBeTruthy();
    expect(JSON.parse(mine!.details)).toMatchObject({ username: 'ghost.user', code: 'INVALID_CREDENTIALS' });
    expect(mine!.details).not.toContain('wrong-password');
  });
});

describe('password policy and own password change', () => {
  // Its own app: the throttling cases above used up this app's login buckets.
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t?.close());

  it('refuses weak passwords with typed codes when an admin creates or resets an account', async () => {
    const admin = bearer(await login(t.app, 'admin'));
    const unitId = (t.app.db.$client.prepare('SELECT unit_id AS u FROM users WHERE username = ?').get('daibieu01') as { u: number }).u;
    const create = (password: string) =>
      t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'nguyenvana', password, fullName: 'Nguyễn Văn A', role: 'delegate', unitId } });
    const cases: [string, string][] = [['Ngan1!', 'PASSWORD_TOO_SHORT'], ['xNguyenVanA-2026', 'PASSWORD_CONTAINS_USERNAME'], ['password123', 'PASSWORD_TOO_COMMON'], ['1234567890', 'PASSWORD_TOO_COMMON']];
    for (const [pw, code] of cases) {
      const res = await create(pw);
      expect(res.statusCode, pw).toBe(400);
      expect(res.json().error.code, pw).toBe(code);
    }
    const ok = await create('Đồng lúa chín vàng 2026');
    expect(ok.statusCode, ok.body).toBe(201);
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/users/${ok.json().id}`, headers: admin, payload: { password: 'qwertyuiop' } });
    expect(reset.json().error.code).toBe('PASSWORD_TOO_COMMON');
  });

  it('lets every user change their own password: needs the current one and the policy', async () => {
    for (const username of ['cau.99101', 'vanphong']) {
      const token = await login(t.app, username);
      const other = await login(t.app, username);
      const change = (currentPassword: string, newPassword: string) =>
        t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(token), payload: { currentPassword, newPassword } });
      expect((await change('not-the-password', 'Trống đồng Đông Sơn 99')).json().error.code).toBe('INVALID_CREDENTIALS');
      expect((await change(username === 'vanphong' ? 'VanPhong@2026' : 'DiemCau@2026', 'short')).json().error.code).toBe('PASSWORD_TOO_SHORT');
      const res = await change(username === 'vanphong' ? 'VanPhong@2026' : 'DiemCau@2026', 'Trống đồng Đông Sơn 99');
      expect(res.statusCode, res.body).toBe(200);
      expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(other) })).statusCode).toBe(401);
      expect(await login(t.app, username, 'Trống đồng Đông Sơn 99')).toBeTruthy();
    }
    const audits = t.app.db.$client.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'auth.password_change'").get() as { n: number };
    expect(audits.n).toBe(2);
  });
});
