/**
 * Reconnect storm: N delegate phones in one live meeting, the server killed
 * with SIGKILL and started again on the same port and database. Measures the
 * time from the kill until every client has reconnected and resynced (its
 * `meeting:join` ack with the snapshot received) and the bytes the clients
 * received meanwhile; against a baseline measured in the same run: a bare
 * Socket.IO server, killed and restarted the same way, where the same clients
 * reconnect and get an echo ack. Both servers are child processes; the
 * clients reconnect with the web client's back-off and jitter (web/src/lib/socket.ts).
 *
 *   pnpm bench:reconnect                      (2,000 clients)
 *   pnpm bench:reconnect -- --clients=300     (or BENCH_CLIENTS=300)
 *   pnpm bench:reconnect -- --cpu-prof=DIR    (the restarted server's CPU profile, for chrome://inspect)
 *
 * Bounded: every phase has a deadline and the whole run a hard limit; the
 * children are killed and the temp data dir removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort, httpStatus } from './lib/net.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../shared/src/protocol.ts';
import { buildServer } from './build.mjs';
import { percentile, printRatio, type Leg } from './lib/bench-ratio.ts';
import { seedBenchDelegates } from './lib/bench-seed.ts';
import { CLK_TCK, cpuTicks } from './lib/sfu-measure.ts';
import { until as poll } from './lib/until.ts';

const flag = process.argv.find((a) => a.startsWith('--clients='))?.split('=')[1];
const N = Number(flag ?? process.env.BENCH_CLIENTS ?? 2000);
/** `--cpu-prof=DIR`: the restarted diemcau server writes a V8 CPU profile there (ended with SIGINT, so it gets written). */
const profDir = process.argv.find((a) => a.startsWith('--cpu-prof='))?.split('=')[1];
const HARD_LIMIT_MS = 10 * 60_000;
const PHASE_LIMIT_MS = 120_000;
const root = resolve(import.meta.dirname, '..');

/** Polls `cond` every 5 ms (the storm's duration is measured to that precision). */
const until = (cond: () => boolean, what: string, limit = PHASE_LIMIT_MS) => poll(cond, Boolean, what, limit, 5);

/** In batches of 100, so the initial connects do not themselves become a storm. */
async function inBatches<T, R>(xs: readonly T[], fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i += 100) out.push(...(await Promise.all(xs.slice(i, i + 100).map((x, j) => fn(x, i + j)))));
  return out;
}

interface Spec {
  label: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Answers 200 once the server serves. */
  readyPath: string;
  /** Stop with SIGINT rather than SIGKILL at the end (a CPU profile is written at exit). */
  gracefulStop?: boolean;
  /** The resync a client does on every fresh connection; resolves when it was acked. */
  resync(s: Socket): Promise<void>;
}

/** CPU seconds a process has used (user + system), from /proc: a figure the machine's other load does not stretch. */
const cpuSeconds = (pid: number) => cpuTicks(pid) / CLK_TCK;

interface Result {
  leg: Leg;
  /** CPU the restarted server used from its launch until every client had resynced. */
  cpuS: number;
  /** Kill → every client resynced. */
  ms: number;
  /** Kill → the restarted server answered its ready path. */
  upMs: number;
  /** Resync times after the kill, sorted. */
  times: number[];
  bytes: number;
  packets: number;
}

async function storm(spec: Spec, tokens: readonly string[]): Promise<Result> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  const start = async () => {
    const t = performance.now();
    const child = spawn(process.execPath, spec.args, { cwd: spec.cwd, env: { ...process.env, ...spec.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${spec.label} exited with ${child.exitCode}`);
      if ((await httpStatus(url + spec.readyPath)) === 200) break;
      if (performance.now() - t > 60_000) throw new Error(`${spec.label} did not answer within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return child;
  };
  const sockets: Socket[] = [];
  let counting = false;
  let bytes = 0;
  let packets = 0;
  try {
    let server = await start();
    const resyncedAt: (number | null)[] = tokens.map(() => null);
    const failures: string[] = [];
    let killedAt = Infinity;
    await inBatches(tokens, (token, i) => {
      const s = io(url, {
        auth: { protocol: PROTOCOL_VERSION, token },
        transports: ['websocket'],
        forceNew: true,
        // The web client's settings, so the storm is the one real phones make.
        reconnectionDelay: 500,
        reconnectionDelayMax: 3000,
        randomizationFactor: 0.5,
        timeout: 30_000,
      });
      sockets.push(s);
      s.io.on('open', () =>
        s.io.engine.on('packet', (p: { data?: unknown }) => {
          if (!counting) return;
          packets++;
          bytes += 1 + (typeof p.data === 'string' ? Buffer.byteLength(p.data) : p.data instanceof ArrayBuffer ? p.data.byteLength : 0);
        }),
      );
      return new Promise<void>((resolveFirst, rejectFirst) => {
        // Every fresh connection resyncs, as the web client re-joins on every `connect`.
        s.on('connect', () => {
          spec.resync(s).then(
            () => {
              if (performance.now() > killedAt) resyncedAt[i] ??= performance.now() - killedAt;
              resolveFirst();
            },
            (err: Error) => {
              // A resync cut short by another drop is retried on the next `connect`, as the web client does;
              // only a client still unsynced at the deadline counts as failed.
              failures.push(err.message);
              if (performance.now() < killedAt) rejectFirst(err);
            },
          );
        });
        s.once('connect_error', (err) => {
          if (!s.active) rejectFirst(err);
        });
      });
    });
    console.log(`${spec.label}: ${tokens.length} clients connected and synced; kill -9`);
    counting = true;
    killedAt = performance.now();
    server.kill('SIGKILL');
    await until(() => server.exitCode !== null || server.signalCode !== null, 'the kill', 10_000);
    server = await start();
    const upMs = performance.now() - killedAt;
    let error: string | undefined;
    await until(() => resyncedAt.every((t) => t !== null), 'every client to resync').catch((e: Error) => (error = e.message));
    counting = false;
    const cpuS = cpuSeconds(server.pid!);
    const times = resyncedAt.filter((t): t is number => t !== null).sort((a, b) => a - b);
    const leg: Leg = { label: spec.label, attempted: tokens.length, succeeded: times.length, firstError: error && (failures[0] ? `${error}; ${failures[0]}` : error) };
    if (failures.length) console.log(`${spec.label}: ${failures.length} resyncs cut short and retried (first: ${failures[0]})`);
    return { leg, cpuS, ms: times.length === tokens.length ? times.at(-1)! : NaN, upMs, times, bytes, packets };
  } finally {
    for (const s of sockets) s.close();
    const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
    // A profiled server exits by itself on SIGINT (graceful close) and writes its profile then.
    if (spec.gracefulStop) {
      for (const c of alive) c.kill('SIGINT');
      await until(() => alive.every((c) => c.exitCode !== null || c.signalCode !== null), 'the profiled server to exit', 20_000).catch(() => {});
    }
    for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

async function ack(s: Socket, event: string, payload: unknown): Promise<void> {
  const res = (await s.timeout(60_000).emitWithAck(event, payload)) as { ok?: boolean; error?: { code: string } };
  if (!res?.ok) throw new Error(`${event}: ${res?.error?.code ?? 'no ok ack'}`);
}

// The baseline: a bare Socket.IO server whose only work is an echo ack.
const bare = `
import { createServer } from 'node:http';
import { Server } from 'socket.io';
const http = createServer((_req, res) => res.end('ok'));
const io = new Server(http, { transports: ['websocket'] });
io.on('connection', (s) => s.on('meeting:join', (p, ack) => { s.join('meeting'); ack({ ok: true, data: p }); }));
http.listen(Number(process.env.PORT), process.env.HOST);
`;

async function main() {
  const hardStop = setTimeout(() => {
    console.error(`bench-reconnect: hard limit of ${HARD_LIMIT_MS / 1000} s reached; aborting`);
    process.exit(2);
  }, HARD_LIMIT_MS);
  hardStop.unref();
  await buildServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-reconnect-'));
  const webDistDir = join(dataDir, 'no-web');
  try {
    // Seed in-process (N delegates with sessions, the meeting live), then hand the data dir to the compiled server.
    const { buildApp } = await import('../server/src/app.ts');
    const { loadConfig } = await import('../server/src/config.ts');
    const app = await buildApp(loadConfig({}, { dataDir, logLevel: 'warn', seedDemo: true, webDistDir }), { logger: false });
    const { meeting, chair, tokens } = await seedBenchDelegates(app, N);
    await app.conference.execute(meeting.id, { userId: chair.id, role: 'secretariat', bridgePointId: null, chair: true, displayName: chair.fullName }, { type: 'meeting:start' });
    await app.close();
    const meetingId = meeting.id;

    const env = { DATA_DIR: dataDir, WEB_DIST_DIR: webDistDir, LOG_LEVEL: 'warn', NODE_ENV: '', SEED_REPORT_HISTORY: '0' };
    const base = await storm({ label: 'baseline: bare Socket.IO, echo ack', args: ['--input-type=module', '-e', bare], cwd: join(root, 'server'), env, readyPath: '/', resync: (s) => ack(s, 'meeting:join', { meetingId }) }, tokens);
    const real = await storm({ label: 'diemcau: node server/dist/server.js', args: [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profDir)}`] : []), 'server/dist/server.js'], gracefulStop: Boolean(profDir), cwd: root, env, readyPath: '/api/health', resync: (s) => ack(s, 'meeting:join', { meetingId }) }, tokens);

    console.log(`\nreconnect storm: ${N} clients, kill -9 and restart on the same port`);
    for (const r of [base, real]) {
      console.log(
        `${r.leg.label.padEnd(38)} ${r.leg.succeeded}/${r.leg.attempted} resynced; server up ${r.upMs.toFixed(0)} ms after the kill; ` +
          `resynced p50 ${percentile(r.times, 50).toFixed(0)} ms, p99 ${percentile(r.times, 99).toFixed(0)} ms, all ${r.ms.toFixed(0)} ms; ` +
          `received ${(r.bytes / 1024).toFixed(0)} KiB in ${r.packets} packets (${(r.bytes / N).toFixed(0)} B per client); ` +
          `server CPU from launch to all resynced ${r.cpuS.toFixed(2)} s`,
      );
      if (r.leg.firstError) console.error(`  first failure: ${r.leg.firstError}`);
    }
    const legs = { baseline: base.leg, subject: real.leg };
    printRatio('bench-reconnect', 'ratio diemcau / baseline, kill → all resynced', legs, real.ms / base.ms);
    printRatio('bench-reconnect', 'ratio diemcau / baseline, bytes received', legs, real.bytes / base.bytes);
    printRatio('bench-reconnect', 'ratio diemcau / baseline, server CPU launch → all resynced', legs, real.cpuS / base.cpuS);
    console.log(`goal: all resynced within 10 s of the kill — ${real.ms <= 10_000 ? 'met' : 'not met'} (${(real.ms / 1000).toFixed(1)} s)`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
