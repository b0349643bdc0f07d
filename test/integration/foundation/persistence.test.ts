import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dbFile } from '../../../server/src/db/index.ts';
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

  it('checkpoints the WAL into the database file off the server thread, and stops on close', async () => {
    t = await buildTestApp();
    const sqlite = t.app.db.$client;
    // The server's own connection never checkpoints: only the checkpointer's thread can grow the file.
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const file = dbFile(t.dataDir);
    const before = statSync(file).size;
    sqlite.exec('CREATE TABLE bulk_test (x BLOB)');
    const insert = sqlite.prepare('INSERT INTO bulk_test (x) VALUES (zeroblob(65536))');
    sqlite.transaction(() => {
      for (let i = 0; i < 32; i++) insert.run();
    })();
    // 2 MB committed to the WAL reaches the main file within a few checkpoint ticks.
    await expect.poll(() => statSync(file).size, { timeout: 30_000, interval: 200 }).toBeGreaterThan(before + 2_000_000);
    await t.close();
    t = undefined;
  });
});
