#!/usr/bin/env node
// The second test pass on a real PostgreSQL (issue 12): starts Debian's postgresql in a temporary
// cluster as a non-root user (scripts/lib/services.mjs, which installs it when missing), points
// DATABASE_URL at it and runs the tests that exercise the async data layer and the modules converted
// to it; every test file makes its own database on that server. Stops and removes the cluster even
// when the tests fail or the run is interrupted.
// Usage: node scripts/test-pg.mjs [extra vitest args]
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './lib/services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The data-layer tests, the voting tests and the multi-node test (two processes on PostgreSQL and Redis). */
const TESTS = ['test/pg', 'test/integration/data-layer', 'test/integration/voting', 'test/integration/scale-out/multinode.test.ts'];

const pg = await startPostgres();
let child = null;
const stop = async (code) => {
  child?.kill('SIGTERM');
  await pg.stop().catch((err) => console.error(`[test-pg] stopping postgresql: ${err.message}`));
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop(130));

console.log(`[test-pg] postgresql on port ${pg.port}`);
const vitest = resolve(root, 'node_modules', 'vitest', 'vitest.mjs');
child = spawn(process.execPath, [vitest, 'run', ...TESTS, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: { ...process.env, DATABASE_URL: pg.url } });
const code = await new Promise((r) => child.once('exit', (c, signal) => r(c ?? (signal ? 1 : 0))));
child = null;
await stop(code);
