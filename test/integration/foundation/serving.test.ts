/**
 * The built web client as a browser gets it: precompressed bodies, year-long caching
 * for hashed assets, and an index.html that is always revalidated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../../scripts/build.mjs';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let distDir: string;
let script: string;

beforeAll(async () => {
  distDir = ensureWebBuilt();
  t = await buildTestApp({ config: { webDistDir: distDir } });
  // The entry chunk index.html loads: the biggest file a first visit downloads.
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
});
afterAll(() => t?.close());

describe('static web client', () => {
  it('the build wrote brotli and gzip copies of the hashed assets', () => {
    const assets = readdirSync(join(distDir, 'assets'));
    const js = assets.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) expect(assets).toEqual(expect.arrayContaining([`${f}.br`, `${f}.gz`]));
  });

  it('sends the brotli file to a browser that accepts br, cached for a year', async () => {
    const raw = readFileSync(join(distDir, script));
    const res = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.rawPayload.length).toBeLessThan(raw.length);
    expect(brotliDecompressSync(res.rawPayload).equals(raw)).toBe(true);
  });

  it('sends gzip where br is not accepted, and the plain file where neither is', async () => {
    const raw = readFileSync(join(distDir, script));
    const gz = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(raw)).toBe(true);
    const plain = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(raw)).toBe(true);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('revalidates index.html every time, at / and at client routes', async () => {
    for (const url of ['/', '/index.html', '/meetings/1/documents/2', '/login?next=%2Fmy']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('keeps API typos a JSON 404 rather than the page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
