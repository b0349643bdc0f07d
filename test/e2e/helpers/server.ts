/**
 * The real server for browser tests, in-process, on a fixed port so it can be
 * restarted under the open pages (they must reconnect to the same origin).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp, type App } from '../../../server/src/app.ts';
import { testConfig } from '../../helpers/app.ts';
import { ensureWebBuilt } from '../../../scripts/build.mjs';
import { freePort } from '../../../scripts/lib/net.ts';
import { withDeadline } from '../../../scripts/lib/until.ts';
import type { Config } from '../../../server/src/config.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

export interface E2EServer {
  /** `http://localhost:<port>`: localhost is a secure context, so camera and mic work over plain http. */
  url: string;
  port: number;
  dataDir: string;
  app(): App;
  /** Stops and starts the server on the same port and data dir (pages stay open). */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Address to listen on and to announce for RTC instead of loopback (the shaped-network
   * tests use the host side of a veth pair, which browsers in other namespaces can reach).
   */
  host?: string;
  /** Serve https with this certificate (bridge PCs on the LAN need https for camera and mic). */
  tls?: { certFile: string; keyFile: string };
}

export async function startServer(overrides: Partial<Config> = {}, opts: StartOptions = {}): Promise<E2EServer> {
  const webDistDir = ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-e2e-'));
  const port = await freePort();
  const host = opts.host ?? '127.0.0.1';
  const scheme = opts.tls ? 'https' : 'http';
  const url = opts.host ? `${scheme}://${opts.host}:${port}` : `${scheme}://localhost:${port}`;
  const config = testConfig(dataDir, {
    port,
    webDistDir,
    publicBaseUrl: url,
    mediasoup: { ...testConfig(dataDir).mediasoup, listenIp: host, announcedIp: opts.host ?? null, numWorkers: 1, rtcMinPort: 40000, rtcMaxPort: 49999 },
    ...(opts.tls ? { tls: opts.tls, cookieSecure: true } : {}),
    ...overrides,
  });
  const boot = async () => {
    const app = await buildApp(config, { logger: false });
    await app.listen({ host, port });
    return app;
  };
  let app = await boot();
  return {
    url,
    port,
    dataDir,
    app: () => app,
    async restart({ downMs = 1500 } = {}) {
      await withDeadline(app.close(), 60_000, 'closing the server');
      await new Promise((r) => setTimeout(r, downMs));
      app = await withDeadline(boot(), 60_000, 'starting the server again');
    },
    async stop() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
