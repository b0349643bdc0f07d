// Foundation check: the offline-built mediasoup worker is present and usable.
import { accessSync, constants, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.ts';
import { WorkerPool } from '../../../server/src/modules/media/worker-pool.ts';
import { alive } from '../../helpers/process.ts';

const config = loadConfig();

describe('mediasoup worker', () => {
  let pool: WorkerPool | null = null;
  afterEach(() => {
    pool?.close();
    pool = null;
  });

  it('has an executable worker binary at config.mediasoup.workerBin', () => {
    const bin = config.mediasoup.workerBin;
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
    expect(statSync(bin).size).toBeGreaterThan(1_000_000);
  });

  it('starts a worker, creates a router with opus and VP8, and closes', async () => {
    pool = await WorkerPool.create({ ...config.mediasoup, numWorkers: 1 });
    const [worker] = pool.workers;
    expect(worker).toBeDefined();
    const pid = worker!.pid;
    expect(alive(pid)).toBe(true);

    const router = await pool.createRouter();
    const mimes = router.rtpCapabilities.codecs!.map((c) => c.mimeType);
    expect(mimes).toContain('audio/opus');
    expect(mimes).toContain('video/VP8');
    expect(pool.loads()).toMatchObject([{ index: 0, pid, routers: 1, consumers: 0, producers: 0, pipes: 0 }]);

    router.close();
    expect(pool.loads()[0]!.routers).toBe(0);

    pool.close();
    expect(worker!.closed).toBe(true);
    // The process gets SIGTERM; give it a moment to exit.
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });
});
