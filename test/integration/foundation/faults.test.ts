// Faults say what happened: constraint failures are typed 4xx, a full database is 507
// STORAGE_FULL (and nothing accepted before is lost), a bad data directory is one line at start.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../server/src/modules/audit/audit.store.ts';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let sec: Record<string, string>;
let meetingId: number;
beforeAll(async () => {
  t = await buildTestApp();
  sec = bearer(await login(t.app, 'vanphong'));
  meetingId = (await t.app.inject({ method: 'GET', url: '/api/meetings', headers: sec })).json()[0].id;
});
afterAll(() => t.close());

describe('constraint failures are 4xx with a code', () => {
  it('inviting delegates to a bridge point that does not exist is 409 CONFLICT, not 500', async () => {
    const delegates = (await t.app.inject({ method: 'GET', url: '/api/users?role=delegate', headers: sec })).json();
    const res = await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/delegates`, headers: sec, payload: { userIds: [delegates[0].id], bridgePointId: 999_999 } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
  });

  it('a duplicate unit code is 409 CONFLICT', async () => {
    const admin = bearer(await login(t.app, 'admin'));
    const body = { parentId: null, code: 'DUP1', name: 'Tỉnh Trùng Mã' };
    expect((await t.app.inject({ method: 'POST', url: '/api/units', headers: admin, payload: body })).statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/api/units', headers: admin, payload: body });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
  });
});

describe('a full database', () => {
  it('answers 507 STORAGE_FULL, keeps what was accepted, and works again once there is room', async () => {
    const sqlite = t.app.db.$client;
    const create = (title: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/meetings',
        headers: sec,
        payload: { title, kind: 'conference', description: 'x'.repeat(5000), startsAt: '2027-01-05T01:00:00.000Z', endsAt: '2027-01-05T03:00:00.000Z', chairUnitId: 1 },
      });
    const kept = await create('Trước khi đầy');
    expect(kept.statusCode).toBe(201);
    const before = (sqlite.prepare('SELECT count(*) AS n FROM meetings').get() as { n: number }).n;
    const original = sqlite.pragma('max_page_count', { simple: true }) as number;
    // Real SQLITE_FULL: the database may not grow past the pages it has now.
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
    try {
      let full: Awaited<ReturnType<typeof create>> | null = null;
      for (let i = 0; i < 200 && !full; i++) {
        const res = await create(`Khi đầy ${i}`);
        if (res.statusCode !== 201) full = res;
      }
      expect(full?.statusCode).toBe(507);
      expect(full?.json().error).toMatchObject({ code: 'STORAGE_FULL', message: expect.stringMatching(/storage space/) });
    } finally {
      sqlite.pragma(`max_page_count = ${original}`);
    }
    const after = await create('Sau khi giải phóng');
    expect(after.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `/api/meetings/${kept.json().id}`, headers: sec })).json().title).toBe('Trước khi đầy');
    expect((sqlite.prepare('SELECT count(*) AS n FROM meetings').get() as { n: number }).n).toBeGreaterThan(before);
    expect((await t.app.database.run(verifyAudit)).ok).toBe(true);
  });
});

describe('a data directory that cannot be opened', () => {
  const root = resolve(import.meta.dirname, '..', '..', '..');
  const start = (dataDir: string) =>
    new Promise<{ code: number | null; stderr: string; stdout: string }>((done, fail) => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'server', 'src', 'server.ts')], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`server did not exit: ${stdout} ${stderr}`));
      }, 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        done({ code, stderr, stdout });
      });
    });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'diemcau-datadir-'));
    writeFileSync(join(dir, 'a-file'), 'not a directory');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a file', 'a-file'],
    ['a path under a file', 'a-file/data'],
  ])('DATA_DIR naming %s exits non-zero with one line naming the path and the cause', async (_name, rel) => {
    const path = join(dir, rel);
    const r = await start(path);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr.trim().split('\n')).toEqual([`diemcau: cannot open data directory ${path}: ENOTDIR not a directory`]);
  }, 90_000);
});
