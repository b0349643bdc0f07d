/**
 * Two in-process nodes on one Redis and one SQLite file, for the scale-out tests: Redis from the
 * Debian package (scripts/lib/services.mjs), both apps listening on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../../server/src/config.ts';
import { startRedis, type RedisService } from '../../../scripts/lib/services.mjs';
import type { AppDeps } from '../../../server/src/app.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

export interface TwoNodes {
  redis: RedisService;
  dataDir: string;
  a: TestApp;
  b: TestApp;
  /** Closes both apps (b first), stops Redis and removes the data directory; safe after a failed start. */
  close(): Promise<void>;
}

/** `config(name, redisUrl)` gives each node's settings; the nodes are named 'node-a' and 'node-b'. */
export async function twoNodes(prefix: string, config: (nodeId: string, redisUrl: string) => Partial<Config>, deps?: AppDeps): Promise<TwoNodes> {
  const redis = await startRedis();
  const dataDir = mkdtempSync(join(tmpdir(), `diemcau-${prefix}-`));
  const started: TestApp[] = [];
  const close = async () => {
    for (const t of started.reverse()) await t.close({ keepData: true });
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // One after the other: the first migrates and seeds the shared SQLite file, the second finds it ready.
    for (const id of ['node-a', 'node-b']) {
      const t = await buildTestApp({ dataDir, config: config(id, redis.url), ...(deps && { deps }) });
      started.push(t);
      await t.listen();
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { redis, dataDir, a: started[0]!, b: started[1]!, close };
}
