/**
 * Cross-site requests: state-changing HTTP routes and the Socket.IO handshake check Origin
 * (Referer as fallback) against the server's own origins; CSP connect-src and /docs under CSP.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../../shared/src/index.ts';
import { bearer, buildTestApp, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await buildTestApp({ config: { publicBaseUrl: 'https://hoinghi.tinhuy.local', allowedOrigins: ['http://10.20.0.5:3000'] } });
  await t.listen();
  token = await login(t.app, 'daibieu01');
});
afterAll(() => t?.close());

const logout = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/auth/logout', headers });
const withCookie = (h: Record<string, string> = {}) => ({ cookie: `dc_session=${token}`, ...h });

describe('cross-site HTTP requests', () => {
  it('refuses a state-changing request from a foreign Origin, with or without a cookie', async () => {
    for (const headers of [withCookie({ origin: 'https://evil.example' }), { origin: 'https://evil.example', ...bearer(token) }, withCookie({ origin: 'null' })]) {
      const res = await logout(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CROSS_ORIGIN');
    }
    const login2 = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: 'http://attacker.lan' }, payload: { username: 'daibieu02', password: 'DaiBieu@2026' } });
    expect(login2.json().error.code).toBe('CROSS_ORIGIN');
    // Still signed in: none of the forged logouts went through.
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('refuses a cookie request without Origin unless its Referer is ours', async () => {
    expect((await logout(withCookie())).json().error.code).toBe('CROSS_ORIGIN');
    expect((await logout(withCookie({ referer: 'https://evil.example/page' }))).json().error.code).toBe('CROSS_ORIGIN');
    const pin = await t.app.inject({ method: 'PUT', url: '/api/auth/pin', headers: withCookie({ referer: 'https://hoinghi.tinhuy.local/account' }), payload: { password: 'DaiBieu@2026', pin: '2580' } });
    expect(pin.statusCode, pin.body).toBe(200);
  });

  it('accepts its own origins: PUBLIC_BASE_URL, ALLOWED_ORIGINS and the Host it was reached at; GETs and bearer clients pass', async () => {
    const pw = (origin: string) => t.app.inject({ method: 'PUT', url: '/api/auth/pin', headers: withCookie({ origin }), payload: { password: 'DaiBieu@2026', pin: '2580' } });
    expect((await pw('https://hoinghi.tinhuy.local')).statusCode).toBe(200);
    expect((await pw('http://10.20.0.5:3000')).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PUT', url: '/api/auth/pin', headers: withCookie({ origin: 'http://lan-alias:8080', host: 'lan-alias:8080' }), payload: { password: 'DaiBieu@2026', pin: '2580' } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/auth/me', headers: withCookie({ origin: 'https://evil.example' }) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PUT', url: '/api/auth/pin', headers: bearer(token), payload: { password: 'DaiBieu@2026', pin: '2580' } })).statusCode).toBe(200);
  });
});

describe('cross-site Socket.IO handshake', () => {
  const open = (extraHeaders: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const s = ioClient(t.url, { auth: { protocol: PROTOCOL_VERSION }, extraHeaders: { cookie: `dc_session=${token}`, ...extraHeaders }, transports: ['websocket'], reconnection: false, forceNew: true });
      s.once('connect', () => (s.close(), resolve('connected')));
      s.once('connect_error', () => (s.close(), resolve('refused')));
    });

  it('refuses a page of another origin riding the cookie, accepts our own', async () => {
    expect(await open({ origin: 'https://evil.example' })).toBe('refused');
    expect(await open({ origin: 'null' })).toBe('refused');
    expect(await open({ referer: 'https://evil.example/x' })).toBe('refused');
    // A same-origin polling handshake carries neither header (and the app sends no Referer): accepted.
    expect(await open({})).toBe('connected');
    expect(await open({ origin: 'https://hoinghi.tinhuy.local' })).toBe('connected');
    expect(await open({ origin: t.url })).toBe('connected');
  });
});

describe('content security policy', () => {
  it('connect-src allows self and the configured origins (ws and http), nothing else', async () => {
    const csp = String((await t.app.inject({ url: '/api/auth/me' })).headers['content-security-policy']);
    const connect = /connect-src ([^;]+)/.exec(csp)![1]!.split(' ');
    expect(connect).toEqual(expect.arrayContaining(["'self'", 'https://hoinghi.tinhuy.local', 'wss://hoinghi.tinhuy.local', 'http://10.20.0.5:3000', 'ws://10.20.0.5:3000']));
    expect(connect).not.toContain('ws:');
    expect(connect).not.toContain('wss:');
  });

  it('serves /docs (swagger-ui) under a CSP whose inline scripts are allowed by hash, not unsafe-inline', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!;
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/\shttps:/);
    // Every inline script of the page is covered by a hash in the policy.
    const inline = [...page.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).filter((s) => s.trim());
    for (const body of inline) expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
    // And the scripts and styles it loads are served locally.
    const assets = [...page.body.matchAll(/(?:src|href)="\.\/static\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining(['swagger-ui-bundle.js', 'swagger-initializer.js', 'swagger-ui.css']));
    for (const a of assets) expect((await t.app.inject({ url: `/docs/static/${a}` })).statusCode, a).toBe(200);
    // The spec it fetches is same-origin, which default-src 'self' allows.
    expect((await t.app.inject({ url: '/docs/json' })).statusCode).toBe(200);
  });
});
