import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@diemcau/shared': fileURLToPath(new URL('./shared/src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll's own default (1 s) fails a page that is merely slow on a busy machine; a poll
    // that holds returns at once, so only a real failure waits this out.
    expect: { poll: { timeout: 20_000, interval: 100 } },
    // Two cores: more forks only add contention (mediasoup workers and Chromium are heavy).
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
