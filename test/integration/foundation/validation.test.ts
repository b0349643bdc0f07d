// Malformed ids and bodies get a 400 with a code, never a 500; illegal transitions a 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let sec: Record<string, string>;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await buildTestApp();
  sec = bearer(await login(t.app, 'vanphong'));
  admin = bearer(await login(t.app, 'admin'));
});
afterAll(() => t.close());

const BAD_IDS = ['abc', '-1', '0', '1.5', '99999999999999999999', '%00', '..%2F..%2Fetc'];
const BAD_BODIES: unknown[] = [null, 'text', 42, [], { title: 5 }, { unexpected: true }, { title: 'x'.repeat(5000) }];

describe('input validation', () => {
  it('rejects malformed ids with 400 VALIDATION_FAILED (or 404), never 500', async () => {
    for (const id of BAD_IDS) {
      for (const url of [`/api/meetings/${id}`, `/api/units/${id}`, `/api/users/${id}`, `/api/bridge-points/${id}`, `/api/meetings/1/agenda/${id}`]) {
        const method = url.includes('/agenda/') ? 'PATCH' : 'GET';
        const res = await t.app.inject({ method, url, headers: admin, payload: method === 'PATCH' ? { title: 'x' } : undefined });
        expect([400, 404], `${method} ${url} → ${res.statusCode}`).toContain(res.statusCode);
        expect(res.json().error.code).toMatch(/VALIDATION_FAILED|NOT_FOUND/);
      }
    }
  });

  it('rejects malformed bodies with 400 and a code on every write route', async () => {
    const writes: [string, string][] = [
      ['POST', '/api/units'], ['PATCH', '/api/units/1'], ['POST', '/api/bridge-points'], ['PATCH', '/api/bridge-points/1'],
      ['POST', '/api/users'], ['PATCH', '/api/users/1'], ['POST', '/api/meetings'], ['PATCH', '/api/meetings/1'],
      ['POST', '/api/meetings/1/transition'], ['POST', '/api/meetings/1/bridge-points'], ['POST', '/api/meetings/1/delegates'],
      ['POST', '/api/meetings/1/agenda'], ['PUT', '/api/meetings/1/agenda/order'], ['POST', '/api/auth/login'],
      ['POST', '/api/auth/password'], ['PUT', '/api/auth/pin'],
    ];
    for (const [method, url] of writes) {
      for (const body of BAD_BODIES) {
        const res = await t.app.inject({ method: method as 'POST', url, headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)?.slice(0, 40)} → ${res.body}`).toBe(400);
        expect(res.json().error.code).toBe('VALIDATION_FAILED');
      }
      const broken = await t.app.inject({ method: method as 'POST', url, headers: { ...admin, 'content-type': 'application/json' }, payload: '{"title":' });
      expect(broken.statusCode).toBe(400);
    }
  });

  it('rejects semantic errors with typed codes', async () => {
    const me = (await t.app.inject({ url: '/api/auth/me', headers: sec })).json();
    const backwards = await t.app.inject({ method: 'POST', url: '/api/meetings', headers: sec, payload: { title: 'x', kind: 'conference', startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z', chairUnitId: me.provinceId } });
    expect(backwards.statusCode).toBe(400);
    const badDate = await t.app.inject({ method: 'POST', url: '/api/meetings', headers: sec, payload: { title: 'x', kind: 'conference', startsAt: 'tomorrow', endsAt: '2030-01-01T00:00:00Z', chairUnitId: me.provinceId } });
    expect(badDate.statusCode).toBe(400);
    const agenda = (await t.app.inject({ url: '/api/meetings/1/agenda', headers: sec })).json();
    const partial = await t.app.inject({ method: 'PUT', url: '/api/meetings/1/agenda/order', headers: sec, payload: { itemIds: [agenda[0].id] } });
    expect(partial.statusCode).toBe(400);
    const dupUnit = await t.app.inject({ method: 'POST', url: '/api/units', headers: admin, payload: { parentId: null, code: '99', name: 'Trùng mã' } });
    expect(dupUnit.statusCode).toBe(409);
    expect(dupUnit.json().error.code).toBe('CONFLICT');
    const notDelegate = await t.app.inject({ method: 'POST', url: '/api/meetings/1/delegates', headers: sec, payload: { userIds: [me.user.id] } });
    expect(notDelegate.statusCode).toBe(404);
  });

  it('rejects illegal status transitions with 409 ILLEGAL_TRANSITION', async () => {
    const go = (to: string) => t.app.inject({ method: 'POST', url: '/api/meetings/1/transition', headers: sec, payload: { to } });
    for (const to of ['archived', 'ended', 'scheduled']) {
      const res = await go(to);
      expect(res.statusCode, to).toBe(409);
      expect(res.json().error.code).toBe('ILLEGAL_TRANSITION');
    }
    expect((await go('live')).statusCode).toBe(200);
    expect((await go('draft')).json().error.code).toBe('ILLEGAL_TRANSITION');
    expect((await go('ended')).statusCode).toBe(200);
    const edit = await t.app.inject({ method: 'PATCH', url: '/api/meetings/1', headers: sec, payload: { title: 'rewrite history' } });
    expect(edit.statusCode).toBe(409);
    const agendaEdit = await t.app.inject({ method: 'POST', url: '/api/meetings/1/agenda', headers: sec, payload: { title: 'late', plannedMinutes: 5 } });
    expect(agendaEdit.statusCode).toBe(409);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await t.app.inject({ url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
