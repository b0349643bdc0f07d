/** A local CA and server certificate made by the project's own `pnpm certs` (scripts/make-certs.mjs), for tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'make-certs.mjs');

export interface LocalCerts {
  /** The new temp dir holding them (what config.minutes.certDir points at); the caller removes it. */
  dir: string;
  certFile: string;
  keyFile: string;
  /** The local CA that signed the server certificate (what bridge PCs are told to trust). */
  caFile: string;
}

/** Makes a CA and a server certificate for `address` in a new temp dir named after `prefix`. */
export function makeCerts(address = 'localhost', prefix = 'diemcau-certs-'): LocalCerts {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync(process.execPath, [script, '--out', dir, address], { stdio: 'pipe' });
  return { dir, certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'diemcau-ca.crt') };
}
