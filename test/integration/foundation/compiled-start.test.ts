/**
 * The production start: the compiled JavaScript server (what `pnpm start` runs) boots with
 * plain node — no TypeScript loader — finds its migrations and the web build from dist/,
 * seeds the demo data and answers; SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, ensureWebBuilt } from '../../../scripts/build.mjs';
import { DEMO_PASSWORDS } from '../../../server/src/db/seed-data.ts';
import { freePort } from '../../../scripts/lib/net.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
let child: ChildProcess;
let base = '';
let dataDir = '';
let output = '';

beforeAll(async () => {
  // `pnpm test` has built already; this is then a quick no-op check.
  buildServer();
  const webDistDir = ensureWebBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'diemcau-compiled-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', WEB_DIST_DIR: webDistDir, LOG_LEVEL: 'warn' };
  // Plain node, no --import tsx and no `source` condition: only compiled JS can load.
  child = spawn(process.execPath, [join(root, 'server', 'dist', 'server.js')], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
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
});

describe('compiled server (node server/dist/server.js)', () => {
  it('was built to JavaScript, shared/ included', () => {
    expect(existsSync(join(root, 'server', 'dist', 'server.js'))).toBe(true);
    expect(existsSync(join(root, 'shared', 'dist', 'index.js'))).toBe(true);
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
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
