/**
 * The whole application on the engine of this run (scripts/test-pg.mjs sets DATABASE_URL for the
 * PostgreSQL pass): it starts, migrates and seeds the demo, serves sign-in and the API, and nothing
 * in it reaches for the synchronous SQLite connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, type TestApp } from '../../helpers/app.ts';
import { pgUrl } from '../../helpers/database.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe(`the application on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('runs on the engine DATABASE_URL names, seeded with the demo', async () => {
    expect(t.app.database.dialect).toBe(pgUrl() ? 'postgres' : 'sqlite');
    const health = await t.app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(200);
    const token = await login(t.app, 'vanphong');
    const meetings = await t.app.inject({ url: '/api/meetings', headers: bearer(token) });
    expect(meetings.statusCode).toBe(200);
    expect(meetings.json().length).toBeGreaterThan(0);
  });

  it('has no synchronous SQLite connection on PostgreSQL', () => {
    if (pgUrl()) expect(() => t.app.db).toThrow(/runs on PostgreSQL/);
    else expect(t.app.db.$client.open).toBe(true);
  });

  it('writes through the API and reads back (an audited change)', async () => {
    const token = await login(t.app, 'admin');
    const created = await t.app.inject({ method: 'POST', url: '/api/units', headers: bearer(token), payload: { parentId: null, code: 'T-NEW', name: 'Tỉnh mới' } });
    expect(created.statusCode).toBe(201);
    const audit = await t.app.inject({ url: '/api/audit?action=unit.create', headers: bearer(token) });
    expect(audit.statusCode).toBe(200);
    expect(JSON.stringify(audit.json())).toContain('T-NEW');
    const verify = await t.app.inject({ url: '/api/audit/verify', headers: bearer(token) });
    expect(verify.json().ok).toBe(true);
  });
});
