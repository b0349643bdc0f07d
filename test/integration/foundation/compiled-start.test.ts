/**
 * The production start: the compiled JavaScript server (what `pnpm start` runs) boots with
 * plain node — no TypeScript loader — finds its migrations and the web build from dist/,
 * seeds the demo data and answers; SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, ensureWebBuilt } from '../../../scripts/build.mjs';
import { DEMO_PASSWORDS } from '../../../server/src/db/seed-data.ts';
import { freePort } from '../../../scripts/lib/net.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
let child: ChildProcess;
let base = '';
let dataDir = '';
let output = '';
let entry = '';

beforeAll(async () => {
  // Its own output folder: rebuilding server/dist under a server someone started from it would pull
  // its lazily loaded chunks away. Same depth below the checkout as server/dist.
  entry = await buildServer(join(root, 'server', `.dist-test-${process.pid}`));
  const webDistDir = ensureWebBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'diemcau-compiled-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', WEB_DIST_DIR: webDistDir, LOG_LEVEL: 'warn' };
  // Plain node, no --import tsx and no `source` condition: only compiled JS can load.
  child = spawn(process.execPath, [entry], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  // Generous: two cores shared with other work; seeding hashes passwords.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`compiled server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`compiled server did not answer within 90 s:\n${output}`);
    const up = await fetch(`${base}/api/health`).then((r) => r.status === 200, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (entry) rmSync(dirname(entry), { recursive: true, force: true });
});

describe('compiled server (node server/dist/server.js, bundled)', () => {
  it('was bundled to JavaScript: shared/ and the many-module packages inside, the exporters in lazy chunks', () => {
    const main = readFileSync(entry, 'utf8');
    // Run time must not need shared/dist or typebox's module tree.
    expect(main).not.toMatch(/from ["']@diemcau\/shared["']/);
    expect(main).not.toMatch(/from ["']typebox(\/[a-z]+)?["']/);
    const files = readdirSync(dirname(entry));
    expect(files.some((f) => /^minutes\.pdf-.*\.js$/.test(f))).toBe(true);
    expect(files.some((f) => /^reports\.export-.*\.js$/.test(f))).toBe(true);
    // Their libraries are not loaded at start: no static import of them in the entry.
    expect(main).not.toMatch(/from ["'](exceljs|@cantoo\/pdf-lib|docx)["']/);
  });

  it('answers /api/health and serves the web client at /', async () => {
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<script[^>]+\/assets\//);
  });

  it('migrated and seeded its database: the demo admin can sign in', async () => {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: DEMO_PASSWORDS.admin }),
    });
    expect(res.status).toBe(200);
    expect(existsSync(join(dataDir, 'diemcau.sqlite'))).toBe(true);
    expect(output).toContain('diemcau is running at');
    // A lazily loaded chunk and its external libraries resolve from the bundle's folder.
    const sec = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'vanphong', password: DEMO_PASSWORDS.secretariat }),
    });
    const cookie = sec.headers.get('set-cookie')!.split(';')[0]!;
    const { provinceId } = (await (await fetch(`${base}/api/auth/me`, { headers: { cookie } })).json()) as { provinceId: number };
    const range = `from=${encodeURIComponent('2026-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-12-31T23:59:59Z')}`;
    const xlsx = await fetch(`${base}/api/reports/export.xlsx?unitId=${provinceId}&${range}`, { headers: { cookie } });
    expect(xlsx.status, await xlsx.clone().text()).toBe(200);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
