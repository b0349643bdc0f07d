/**
 * Debian Chromium inside a bridge's namespace. playwright-core cannot enter a
 * namespace itself, so its executable is a two-line wrapper that does
 * `exec ip netns exec NS chromium "$@"`: the exec keeps playwright's pipes.
 * The server is reached by the host side of the veth over https, as bridge PCs
 * reach it on the LAN (camera and mic need it), with a certificate made by the
 * project's own `pnpm certs`; Chromium trusts exactly that key.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../e2e/helpers/browser.ts';
import { makeCerts } from '../../helpers/certs.ts';

const wrappers: string[] = [];

export interface ServerCert {
  certFile: string;
  keyFile: string;
  /** The local CA that signed it (what bridge PCs are told to trust). */
  caFile: string;
  /** base64 SHA-256 of the certificate's public key, for --ignore-certificate-errors-spki-list. */
  spki: string;
}

/** A server certificate for `ip` from scripts/make-certs.mjs, in a temp dir removed with the wrappers. */
export function makeServerCert(ip: string): ServerCert {
  const { dir, certFile, keyFile, caFile } = makeCerts(ip, 'diemcau-netem-certs-');
  wrappers.push(dir);
  const der = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return { certFile, keyFile, caFile, spki: createHash('sha256').update(der).digest('base64') };
}

/** Launches Chromium in namespace `ns` (host namespace when null), trusting the server's key. */
export async function launchIn(ns: string | null, cert: ServerCert): Promise<Browser> {
  let executablePath = CHROMIUM;
  if (ns) {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-netem-'));
    wrappers.push(dir);
    executablePath = join(dir, 'chromium-in-ns');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  return launchChromium({ executablePath, extraArgs: [`--ignore-certificate-errors-spki-list=${cert.spki}`] });
}

export function removeWrappers(): void {
  for (const d of wrappers.splice(0)) rmSync(d, { recursive: true, force: true });
}
