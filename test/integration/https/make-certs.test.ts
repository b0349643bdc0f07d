// scripts/make-certs.mjs: the certificate it makes is trusted by a client that
// trusts only the generated CA, for each address given, and the CA is reused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../../scripts/make-certs.mjs');
const dir = mkdtempSync(join(tmpdir(), 'diemcau-certs-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => execFileSync(process.execPath, [script, '--out', dir, ...args], { encoding: 'utf8' });

function fetchOk(host: string, servername: string | undefined, port: number, ca: Buffer): Promise<string> {
  return new Promise((res, rej) => {
    const req = request({ host, port, path: '/', ca, ...(servername ? { servername } : {}), headers: { host: servername ?? host } }, (r) => {
      let body = '';
      r.on('data', (c) => (body += c));
      r.on('end', () => res(body));
    });
    req.on('error', rej);
    req.end();
  });
}

describe('make-certs', () => {
  it('issues a server certificate a CA-trusting client accepts for each name', async () => {
    const out = run('127.0.0.1', 'diemcau.test');
    expect(out).toContain('TLS_CERT_FILE=');
    expect(statSync(join(dir, 'server.key')).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'diemcau-ca.key')).mode & 0o077).toBe(0);
    const server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) }, (_q, r) => r.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const ca = readFileSync(join(dir, 'diemcau-ca.crt'));
      expect(await fetchOk('127.0.0.1', undefined, port, ca)).toBe('ok');
      expect(await fetchOk('127.0.0.1', 'diemcau.test', port, ca)).toBe('ok');
      // A name not in the certificate is refused.
      await expect(fetchOk('127.0.0.1', 'other.test', port, ca)).rejects.toThrow(/altnames|Hostname/i);
      // Without the CA the chain is untrusted.
      await expect(fetchOk('127.0.0.1', undefined, port, Buffer.from(''))).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it('reuses the CA when run again for another address', () => {
    const ca1 = readFileSync(join(dir, 'diemcau-ca.crt'), 'utf8');
    expect(run('10.1.2.3')).toContain('Reusing CA');
    expect(readFileSync(join(dir, 'diemcau-ca.crt'), 'utf8')).toBe(ca1);
    const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'diemcau-ca.crt'), join(dir, 'server.crt')], { encoding: 'utf8' });
    expect(verify).toContain('OK');
  });

  it('rejects what is not an address', () => {
    expect(() => execFileSync(process.execPath, [script, '--out', dir, 'not an address'], { stdio: 'pipe' })).toThrow();
  });
});
