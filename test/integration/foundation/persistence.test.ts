import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp | undefined;
afterEach(() => t?.close());

describe('persistence', () => {
  it('keeps every change across an app restart on the same database file, and does not reseed', async () => {
    const first = await buildTestApp();
    const sec = bearer(await login(first.app, 'vanphong'));
    const me = (await first.app.inject({ url: '/api/auth/me', headers: sec })).json();
    const m = (await first.app.inject({ method: 'POST', url: '/api/meetings', headers: sec, payload: { title: 'Còn sau khởi động lại', kind: 'conference', startsAt: '2030-05-01T01:00:00Z', endsAt: '2030-05-01T03:00:00Z', chairUnitId: me.provinceId } })).json();
    await first.app.inject({ method: 'POST', url: `/api/meetings/${m.id}/agenda`, headers: sec, payload: { title: 'Mục 1', plannedMinutes: 10 } });
    await first.app.inject({ method: 'POST', url: `/api/meetings/${m.id}/transition`, headers: sec, payload: { to: 'scheduled' } });
    const before = {
      meetings: (await first.app.inject({ url: '/api/meetings', headers: sec })).json(),
      agenda: (await first.app.inject({ url: `/api/meetings/${m.id}/agenda`, headers: sec })).json(),
      units: (await first.app.inject({ url: '/api/units', headers: sec })).json().length,
    };
    await first.close({ keepData: true });

    t = await buildTestApp({ dataDir: first.dataDir });
    // The old session survives too: it is stored, not in memory.
    const after = {
      meetings: (await t.app.inject({ url: '/api/meetings', headers: sec })).json(),
      agenda: (await t.app.inject({ url: `/api/meetings/${m.id}/agenda`, headers: sec })).json(),
      units: (await t.app.inject({ url: '/api/units', headers: sec })).json().length,
    };
    expect(after).toEqual(before);
    expect(after.meetings.find((x: { id: number }) => x.id === m.id).status).toBe('scheduled');
    expect(t.app.db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});
