#!/usr/bin/env node
// `pnpm cluster`: two server nodes, PostgreSQL and Redis on this machine, for local trials of the
// scale-out setup (issue 12). Redis and PostgreSQL come from Debian packages (scripts/lib/services.mjs,
// which installs them when missing); everything is thrown away on Ctrl-C. Both nodes keep their data
// in the one PostgreSQL database (DATABASE_URL); DATA_DIR holds only files (documents, recordings).
// Usage: node scripts/cluster.mjs [--ports 3001,3002]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startPostgres, startRedis } from './lib/services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv.indexOf('--ports');
const ports = (arg > 0 ? process.argv[arg + 1] : '3001,3002').split(',').map(Number);
const READY_MS = 120_000;

const run = (cmd, args) =>
  new Promise((ok, fail) => spawn(cmd, args, { cwd: root, stdio: 'inherit' }).once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}`)))));

/** Polls the node's health route until it answers (the first node also migrates and seeds). */
async function healthy(port, child) {
  const end = Date.now() + READY_MS;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`node on port ${port} exited with ${child.exitCode}`);
    const ok = await new Promise((r) => {
      // An error is "not listening yet".
      const req = get(`http://127.0.0.1:${port}/api/health`, (res) => (res.resume(), r(res.statusCode === 200)));
      req.once('error', () => r(false));
    });
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`node on port ${port} not healthy within ${READY_MS / 1000} s`);
}

const nodes = [];
let redis;
let pg;
let dataDir;
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.log('\n[cluster] stopping…');
  await Promise.all(nodes.map((c) => (c.exitCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : null)));
  await Promise.allSettled([redis?.stop(), pg?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll(0));

try {
  await run(process.execPath, ['scripts/build.mjs']);
  [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
  dataDir = mkdtempSync(join(tmpdir(), 'diemcau-cluster-'));
  // One secret for both nodes' internal media API: they pipe stage and speakers to each other.
  const clusterSecret = randomBytes(24).toString('hex');
  // One after the other: the first node migrates and seeds the shared database, the second finds it ready.
  for (const [i, port] of ports.entries()) {
    const id = `node${i + 1}`;
    const env = {
      ...process.env,
      NODE_ID: id,
      PORT: String(port),
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      DATABASE_URL: pg.url,
      CLUSTER_SECRET: clusterSecret,
      NODE_URL: `http://127.0.0.1:${port}`,
      // Pages of either node may talk to both (a client moved by a load balancer).
      ALLOWED_ORIGINS: ports.map((p) => `http://localhost:${p}`).join(','),
      // Separate media port ranges, so the two nodes' mediasoup workers never race for one port.
      RTC_MIN_PORT: String(40000 + i * 5000),
      RTC_MAX_PORT: String(44999 + i * 5000),
    };
    const child = spawn(process.execPath, ['server/dist/server.js'], { cwd: root, env, stdio: 'inherit' });
    child.once('exit', (code) => {
      if (!stopping) {
        console.error(`[cluster] ${id} exited with ${code}`);
        void stopAll(1);
      }
    });
    nodes.push(child);
    await healthy(port, child);
  }
  console.log(
    `\n[cluster] up (Ctrl-C stops everything):\n` +
      ports.map((p, i) => `  node${i + 1}      http://localhost:${p}\n`).join('') +
      `  redis      ${redis.url}\n  postgresql ${pg.url}\n  data dir   ${dataDir} (documents and recordings)\n`,
  );
} catch (err) {
  console.error(`[cluster] ${err instanceof Error ? err.message : String(err)}`);
  await stopAll(1);
}
