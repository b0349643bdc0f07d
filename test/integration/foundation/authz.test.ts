// No session → 401, wrong role → 403, another province → 403/404, on every protected route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let admin: Record<string, string>;
let sec: Record<string, string>;
let otherSec: Record<string, string>;
let delegate: Record<string, string>;
let operator: Record<string, string>;
let ids: { meeting: number; item: number; unit: number; bp: number; user: number; otherMeeting: number; otherUnit: number };

beforeAll(async () => {
  t = await buildTestApp();
  admin = bearer(await login(t.app, 'admin'));
  sec = bearer(await login(t.app, 'vanphong'));
  delegate = bearer(await login(t.app, 'daibieu01'));
  operator = bearer(await login(t.app, 'cau.99101'));
  // A second province with its own secretariat and meeting.
  const inj = async (method: string, url: string, headers: Record<string, string>, payload?: object) =>
    (await t.app.inject({ method: method as 'GET', url, headers, ...(payload && { payload }) })).json();
  const prov = await inj('POST', '/api/units', admin, { parentId: null, code: '55', name: 'Tỉnh Bên Cạnh' });
  await inj('POST', '/api/users', admin, { username: 'vanphong.55', password: 'MatKhau@123', fullName: 'VP tỉnh 55', role: 'secretariat', unitId: prov.id });
  otherSec = bearer(await login(t.app, 'vanphong.55', 'MatKhau@123'));
  const other = await inj('POST', '/api/meetings', otherSec, { title: 'Họp tỉnh 55', kind: 'conference', startsAt: '2030-01-01T01:00:00Z', endsAt: '2030-01-01T02:00:00Z', chairUnitId: prov.id });
  const agenda = await inj('GET', '/api/meetings/1/agenda', sec);
  const bps = await inj('GET', '/api/bridge-points', sec);
  const users = await inj('GET', '/api/users?role=delegate', sec);
  ids = { meeting: 1, item: agenda[0].id, unit: bps[0].unitId, bp: bps[0].id, user: users[0].id, otherMeeting: other.id, otherUnit: prov.id };
});
afterAll(() => t.close());

const routes = () => [
  ['GET', '/api/units'], ['GET', `/api/units/${ids.unit}`], ['POST', '/api/units'], ['PATCH', `/api/units/${ids.unit}`], ['DELETE', `/api/units/${ids.unit}`],
  ['GET', '/api/bridge-points'], ['GET', `/api/bridge-points/${ids.bp}`], ['POST', '/api/bridge-points'], ['PATCH', `/api/bridge-points/${ids.bp}`], ['DELETE', `/api/bridge-points/${ids.bp}`],
  ['GET', '/api/users'], ['GET', `/api/users/${ids.user}`], ['POST', '/api/users'], ['PATCH', `/api/users/${ids.user}`], ['DELETE', `/api/users/${ids.user}`],
  ['GET', '/api/meetings'], ['POST', '/api/meetings'], ['GET', `/api/meetings/${ids.meeting}`], ['PATCH', `/api/meetings/${ids.meeting}`], ['DELETE', `/api/meetings/${ids.meeting}`],
  ['POST', `/api/meetings/${ids.meeting}/transition`], ['GET', `/api/meetings/${ids.meeting}/invitations`],
  ['POST', `/api/meetings/${ids.meeting}/bridge-points`], ['DELETE', `/api/meetings/${ids.meeting}/bridge-points/${ids.bp}`],
  ['POST', `/api/meetings/${ids.meeting}/delegates`], ['DELETE', `/api/meetings/${ids.meeting}/delegates/${ids.user}`],
  ['GET', `/api/meetings/${ids.meeting}/agenda`], ['POST', `/api/meetings/${ids.meeting}/agenda`], ['PATCH', `/api/meetings/${ids.meeting}/agenda/${ids.item}`],
  ['DELETE', `/api/meetings/${ids.meeting}/agenda/${ids.item}`], ['PUT', `/api/meetings/${ids.meeting}/agenda/order`], ['GET', '/api/auth/me'],
] as const;

describe('authorization', () => {
  it('answers 401 UNAUTHENTICATED on every protected route without a session', async () => {
    for (const [method, url] of routes()) {
      const res = await t.app.inject({ method, url, payload: {} });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 401 on the own-account routes without a session', async () => {
    for (const [method, url] of [['POST', '/api/auth/password'], ['GET', '/api/auth/pin'], ['PUT', '/api/auth/pin']] as const) {
      const res = await t.app.inject({ method, url, payload: {} });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('rejects a forged or expired-looking token', async () => {
    const res = await t.app.inject({ url: '/api/meetings', headers: bearer('forged-token') });
    expect(res.statusCode).toBe(401);
  });

  it('answers 403 FORBIDDEN to the wrong role on every write route', async () => {
    const writes = routes().filter(([m, url]) => m !== 'GET' && (url as string) !== '/api/auth/me');
    for (const headers of [delegate, operator]) {
      for (const [method, url] of writes) {
        const res = await t.app.inject({ method, url, headers, payload: {} });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    // Staff-only reads and admin-only unit edits.
    expect((await t.app.inject({ url: '/api/users', headers: delegate })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/units', headers: sec, payload: { parentId: null, code: '12', name: 'x' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/users', headers: sec, payload: { username: 'sneaky', password: 'MatKhau@123', fullName: 'x', role: 'admin', unitId: null } })).statusCode).toBe(403);
  });

  it('keeps a secretariat out of another province', async () => {
    const m = ids.otherMeeting;
    const attempts: [string, string, object?][] = [
      ['GET', `/api/meetings/${m}`], ['PATCH', `/api/meetings/${m}`, { title: 'x' }], ['DELETE', `/api/meetings/${m}`],
      ['POST', `/api/meetings/${m}/transition`, { to: 'scheduled' }], ['GET', `/api/meetings/${m}/agenda`],
      ['POST', `/api/meetings/${m}/agenda`, { title: 'x', plannedMinutes: 5 }], ['POST', `/api/meetings/${m}/bridge-points`, { bridgePointIds: [ids.bp] }],
      ['GET', `/api/meetings/${m}/invitations`],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await t.app.inject({ method: method as 'GET', url, headers: sec, ...(payload && { payload }) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await t.app.inject({ url: '/api/meetings', headers: sec })).json().map((x: { id: number }) => x.id)).not.toContain(m);
    // Creating a meeting chaired by another province's unit, or reading its units/users, is refused too.
    const create = await t.app.inject({ method: 'POST', url: '/api/meetings', headers: sec, payload: { title: 'x', kind: 'conference', startsAt: '2030-01-01T01:00:00Z', endsAt: '2030-01-01T02:00:00Z', chairUnitId: ids.otherUnit } });
    expect(create.statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/units/${ids.otherUnit}`, headers: sec })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/units/${ids.unit}`, headers: otherSec })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/bridge-points', headers: otherSec })).json()).toEqual([]);
    // And the other province's secretariat cannot invite this province's bridge points.
    const inv = await t.app.inject({ method: 'POST', url: `/api/meetings/${m}/bridge-points`, headers: otherSec, payload: { bridgePointIds: [ids.bp] } });
    expect(inv.statusCode).toBe(404);
  });

  it('hides meetings a delegate is not invited to', async () => {
    const outsider = bearer(await login(t.app, 'cau.tinh2'));
    const admin2 = await t.app.inject({ method: 'DELETE', url: `/api/meetings/1/bridge-points/${(await t.app.inject({ url: '/api/auth/me', headers: outsider })).json().bridgePointId}`, headers: admin });
    expect(admin2.statusCode).toBe(200);
    const res = await t.app.inject({ url: '/api/meetings/1', headers: outsider });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('NOT_MEMBER');
    expect((await t.app.inject({ url: '/api/meetings', headers: outsider })).json()).toEqual([]);
  });
});
