/**
 * Start benchmark: launch to first HTTP 200 on `/`, and idle RSS, 5 runs each of
 *   - baseline: a bare Fastify + @fastify/static process serving the same web/dist index;
 *   - diemcau:  the compiled server, `node server/dist/server.js` (what `pnpm start` runs);
 *   - diemcau (tsx): the TypeScript sources through tsx, the way `pnpm start` ran before
 *     the build step (skip with BENCH_TSX=0).
 * Every diemcau run reuses one data dir seeded by a first, unmeasured start, so the
 * numbers are a restart with the demo data. RSS is the node process alone (mediasoup
 * workers start on the first video join, not at boot), read 2 s after the first 200.
 *
 *   pnpm bench:start          (BENCH_RUNS=5)
 *
 * Prints medians and ratios against the baseline, refusing a ratio unless every run
 * of both legs answered 200 (scripts/lib/bench-ratio.ts). Bounded: each start must
 * answer within 60 s; temp dirs are removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServer, ensureWebBuilt } from './build.mjs';
import { legOf, median, printRatio } from './lib/bench-ratio.ts';
import { freePort, httpStatus } from './lib/net.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const START_LIMIT_MS = 60_000;
const IDLE_MS = 2000;
const root = resolve(import.meta.dirname, '..');

interface Sample {
  ms: number;
  rssMb: number;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => (clearTimeout(force), r()));
    child.kill('SIGTERM');
  });
}

/** Spawns `args` (node flags + script), polls `/` until 200; the sample, or a rejection saying why. */
async function once(args: string[], env: NodeJS.ProcessEnv, cwd: string, idle = true): Promise<Sample> {
  const port = await freePort();
  let stderr = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr.trim()}`);
      if (performance.now() - t0 > START_LIMIT_MS) throw new Error(`no 200 within ${START_LIMIT_MS / 1000} s`);
      if ((await httpStatus(`http://127.0.0.1:${port}/`)) === 200) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - t0;
    if (!idle) return { ms, rssMb: NaN };
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { ms, rssMb: rssMb(child.pid!) };
  } finally {
    await stop(child);
  }
}

async function leg(label: string, run: () => Promise<Sample>) {
  const results: PromiseSettledResult<Sample>[] = [];
  // One after the other: parallel starts would measure contention, not start time.
  for (let i = 0; i < RUNS; i++) results.push(await run().then((v) => ({ status: 'fulfilled', value: v }) as const, (e: unknown) => ({ status: 'rejected', reason: e }) as const));
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const r = { leg: legOf(label, results), ms: median(ok.map((s) => s.ms)), rss: median(ok.map((s) => s.rssMb)) };
  console.log(
    `${label.padEnd(36)} ${String(r.leg.succeeded).padStart(2)}/${RUNS} ok  first 200 median ${r.ms.toFixed(0).padStart(5)} ms  idle RSS median ${r.rss.toFixed(0).padStart(4)} MB` +
      `  (runs: ${ok.map((s) => s.ms.toFixed(0)).join(', ')} ms)`,
  );
  if (r.leg.firstError) console.error(`  first failure: ${r.leg.firstError}`);
  return r;
}

// A bare Fastify serving the same index.html from the same dist: the floor for "a Node web server is up".
const bare = `
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
const app = Fastify();
await app.register(fastifyStatic, { root: process.env.WEB_DIST_DIR, wildcard: false, index: ['index.html'] });
await app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => app.close().then(() => process.exit(0)));
`;

async function main() {
  await buildServer();
  const webDistDir = ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-start-'));
  const env = { DATA_DIR: dataDir, WEB_DIST_DIR: webDistDir, LOG_LEVEL: 'warn', NODE_ENV: '' };
  try {
    console.log(`bench-start: ${RUNS} starts per leg, launch → first 200 on /, RSS ${IDLE_MS / 1000} s later`);
    const seed = await once(['server/dist/server.js'], env, root, false);
    console.log(`(first start of an empty data dir, seeding the demo data: ${seed.ms.toFixed(0)} ms)`);
    const base = await leg('baseline: bare Fastify + static', () => once(['--input-type=module', '-e', bare], env, join(root, 'server')));
    const built = await leg('diemcau: node server/dist/server.js', () => once(['server/dist/server.js'], env, root));
    const viaTsx = process.env.BENCH_TSX === '0' ? null : await leg('diemcau: tsx server/src/server.ts', () => once(['--conditions=source', '--import', 'tsx', 'server/src/server.ts'], env, root));
    const legs = { baseline: base.leg, subject: built.leg };
    printRatio('bench-start', 'ratio diemcau (built) / baseline, time to first 200', legs, built.ms / base.ms);
    printRatio('bench-start', 'ratio diemcau (built) / baseline, idle RSS', legs, built.rss / base.rss);
    if (viaTsx) {
      printRatio('bench-start', 'ratio diemcau (tsx) / baseline, time to first 200', { baseline: base.leg, subject: viaTsx.leg }, viaTsx.ms / base.ms);
      printRatio('bench-start', 'ratio diemcau (tsx) / baseline, idle RSS', { baseline: base.leg, subject: viaTsx.leg }, viaTsx.rss / base.rss);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
