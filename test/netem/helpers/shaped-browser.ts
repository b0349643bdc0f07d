/**
 * Debian Chromium inside a bridge's namespace. playwright-core cannot enter a
 * namespace itself, so its executable is a two-line wrapper that does
 * `exec ip netns exec NS chromium "$@"`: the exec keeps playwright's pipes.
 * The server is reached by the host side of the veth over plain http, which
 * Chromium is told to treat as secure (camera, mic and mediasoup-client need a
 * secure context; on the real LAN that is the server's https certificate).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../e2e/helpers/browser.ts';

const wrappers: string[] = [];

/** Launches Chromium in namespace `ns` (host namespace when null) trusting `origin` as secure. */
export async function launchIn(ns: string | null, origin: string): Promise<Browser> {
  let executablePath = CHROMIUM;
  if (ns) {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-netem-'));
    wrappers.push(dir);
    executablePath = join(dir, 'chromium-in-ns');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`],
    ignoreDefaultArgs: ['--mute-audio'],
    headless: true,
  });
}

export function removeWrappers(): void {
  for (const d of wrappers.splice(0)) rmSync(d, { recursive: true, force: true });
}
