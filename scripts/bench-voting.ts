/**
 * Voting benchmark: 2,000 delegate clients on loopback.
 *
 *   pnpm bench:voting            (BENCH_DELEGATES=500 for a quicker run)
 *   pnpm bench:voting -- --nodes=2   (two nodes on one Redis against a single node: scripts/lib/bench-voting-nodes.ts)
 *   pnpm bench:voting -- --cpu-prof=DIR   (the server thread's CPU profile of the votes at once of round BENCH_PROF_ROUND, default 0: the first, still cold)
 *
 * The server (bundled as `pnpm start` runs it, lib/bench-bundle.ts) runs in a worker thread (its own event loop, on a temp database
 * that is deleted afterwards); the clients run on the main thread. For each
 * round and mode (open and secret ballots) it runs two polls:
 *   (b) every delegate votes at the same instant: cast→ack p50 / p99 / max,
 *       ballots per second, and the time from the close command to the result
 *       reaching every socket against a bare Socket.IO broadcast of the same
 *       payload to the same sockets (ratio);
 *   (a) the casts spread uniformly over 5 s: cast→ack p50 / p99 (and the bare echo-ack's p99 spread so).
 * Each round also runs the baseline for (b): a bare Socket.IO server in the
 * same worker that echo-acks the same N vote:cast messages from N sockets,
 * and prints (b)'s ratio against it. A ratio is printed only when its
 * baseline's every request succeeded.
 * Everything is bounded: a fixed number of clients and a hard time limit.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, percentile, printRatio, type Leg } from './lib/bench-ratio.ts';
import { workerReplies } from './lib/worker-reply.ts';
import { cpuProfDir, phaseProfiler, type PhaseProfiler } from './lib/cpu-profile.ts';
import { threadCpuMs } from './lib/thread-cpu.ts';
import { bundleBenchServer, loadBenchServer } from './lib/bench-bundle.ts';
import { ack, castAll, openSocket, type BenchSocket } from './lib/bench-cast.ts';

const N = Number(process.env.BENCH_DELEGATES ?? 2000);
const HARD_LIMIT_MS = 8 * 60_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const now = () => performance.timeOrigin + performance.now();

type ToServer = { type: 'bare'; payload: unknown; t0: number } | { type: 'stats' } | { type: 'prof-start'; dir: string } | { type: 'prof-stop'; name: string } | { type: 'stop' };
/** `--cpu-prof=DIR`: the server thread profiles each mode's first all-at-once vote into DIR. */
const profDir = cpuProfDir();
const SPREAD_MS = 5000;
interface ServerStats {
  /** CPU time of the server thread since the last stats call (Linux: /proc/thread-self/schedstat); NaN elsewhere. */
  cpuMs: number;
  /** Time inside VotingService.close: tally, sealing into the chain, commit, handing the broadcast to Socket.IO. */
  closeMs: number;
  /** Event-loop utilisation of the server thread since the last stats call (0..1). */
  elu: number;
}
type FromServer =
  | { type: 'ready'; url: string; echoUrl: string; meetingId: number; chairToken: string; tokens: string[]; setupMs: number }
  | { type: 'bare-sent'; at: number }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'prof'; file: string | null }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

if (isMainThread) await main();
else await server(workerData as { n: number; serverUrl: string });

// ---------------------------------------------------------------- server side
async function server({ n, serverUrl }: { n: number; serverUrl: string }) {
  const port = parentPort!;
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { buildApp, seedBenchDelegates, loadConfig, rooms } = await loadBenchServer(serverUrl);

  const t0 = performance.now();
  let closeEcho: (() => Promise<void>) | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-voting-'));
  const config = loadConfig({}, { dataDir, logLevel: 'warn', seedDemo: true, webDistDir: join(dataDir, 'no-web') });
  const app = await buildApp(config, { logger: false, realtime: { rateBurst: 1000, ratePerSecond: 1000 } });
  try {
    const { meeting, chair, session, ids, tokens } = await seedBenchDelegates(app, n);
    const chairToken = await session(chair.id);
    // Start the meeting and check everyone in through the conference service, before any socket
    // joins, so the set-up does not broadcast 2,000 presence changes to 2,000 sockets.
    const actor = { userId: chair.id, role: 'secretariat' as const, bridgePointId: null, chair: true, displayName: chair.fullName };
    await app.conference.execute(meeting.id, actor, { type: 'meeting:start' });
    for (const userId of ids) await app.conference.execute(meeting.id, actor, { type: 'presence:set-delegate', userId, status: 'present_in_person' });
    // The server thread's own CPU time, which other work on the machine does not inflate.
    let cpu = threadCpuMs();
    let closeMs = 0;
    const close = app.voting.close.bind(app.voting);
    app.voting.close = async (...args: Parameters<typeof close>) => {
      const t = performance.now();
      try {
        return await close(...args);
      } finally {
        closeMs += performance.now() - t;
      }
    };
    let elu = performance.eventLoopUtilization();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    // Baseline: a bare Socket.IO server on the same event loop that acks each vote at once.
    const { createServer } = await import('node:http');
    // socket.io is the server package's dependency, so it is resolved from there.
    const { createRequire } = await import('node:module');
    type EchoSocket = { on(e: string, f: (p: { pollId: number }, cb: (a: unknown) => void) => void): void };
    type EchoServer = { on(e: 'connection', f: (s: EchoSocket) => void): void; close(cb: () => void): void };
    const { Server } = createRequire(new URL('../server/package.json', import.meta.url))('socket.io') as {
      Server: new (http: unknown, opts: unknown) => EchoServer;
    };
    const echoHttp = createServer();
    const echo = new Server(echoHttp, { transports: ['websocket'] });
    echo.on('connection', (s) =>
      s.on('vote:cast', (p: { pollId: number }, cb: (a: unknown) => void) => cb({ ok: true, data: { pollId: p.pollId, receipt: null, changed: false } })),
    );
    await new Promise<void>((r) => echoHttp.listen(0, '127.0.0.1', r));
    const echoAddr = echoHttp.address();
    if (!echoAddr || typeof echoAddr === 'string') throw new Error('no address');
    closeEcho = () => new Promise<void>((r) => echo.close(() => r()));
    port.postMessage({ type: 'ready', url: `http://127.0.0.1:${addr.port}`, echoUrl: `http://127.0.0.1:${echoAddr.port}`, meetingId: meeting.id, chairToken, tokens, setupMs: performance.now() - t0 } satisfies FromServer);

    let profiler: PhaseProfiler | null = null;
    await new Promise<void>((resolve) => {
      port.on('message', (msg: ToServer) => {
        if (msg.type === 'prof-start') {
          profiler = phaseProfiler(msg.dir);
          void profiler.start().then(() => port.postMessage({ type: 'prof', file: null } satisfies FromServer));
        } else if (msg.type === 'prof-stop') {
          void profiler?.stop(msg.name).then((file) => port.postMessage({ type: 'prof', file } satisfies FromServer));
          profiler = null;
        } else if (msg.type === 'bare') {
          // Exactly what a feature does to reach a meeting: one room broadcast, no other work.
          (app.realtime.io.to(rooms.meeting(meeting.id)) as { emit(e: string, p: unknown): boolean }).emit('bench:bare', msg.payload);
          port.postMessage({ type: 'bare-sent', at: now() } satisfies FromServer);
        } else if (msg.type === 'stats') {
          const next = performance.eventLoopUtilization();
          const cpuNow = threadCpuMs();
          port.postMessage({ type: 'stats', stats: { cpuMs: cpuNow - cpu, closeMs, elu: performance.eventLoopUtilization(next, elu).utilization } } satisfies FromServer);
          elu = next;
          cpu = cpuNow;
          closeMs = 0;
        } else if (msg.type === 'stop') resolve();
      });
    });
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies FromServer);
  } finally {
    await closeEcho?.();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    port.postMessage({ type: 'stopped' } satisfies FromServer);
  }
}

// ---------------------------------------------------------------- client side
async function main() {
  if (process.argv.includes('--nodes=2')) {
    const { twoNodeBench } = await import('./lib/bench-voting-nodes.ts');
    return twoNodeBench(N, ROUNDS);
  }
  type Sock = BenchSocket;

  const started = now();
  // The worker needs the TypeScript loader too; tsx's hooks do not carry over to workers by themselves.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { n: N, serverUrl: await bundleBenchServer() } });
  const hardStop = setTimeout(() => {
    console.error(`bench-voting: hard limit of ${HARD_LIMIT_MS / 1000} s reached; aborting`);
    process.exit(2);
  }, HARD_LIMIT_MS);
  hardStop.unref();
  const fromWorker = workerReplies<FromServer>(worker);

  const ready = await fromWorker('ready');
  console.log(`server ready in ${(ready.setupMs / 1000).toFixed(1)} s (${N} delegates invited and present)`);
  const sockets: Sock[] = [];
  const echoSockets: Sock[] = [];
  const open = (token: string, url = ready.url) => openSocket(url, token);

  try {
    const tConnect = now();
    const chair = await open(ready.chairToken);
    await ack(chair, 'meeting:join', { meetingId: ready.meetingId });
    for (let i = 0; i < ready.tokens.length; i += 100) {
      const batch = await Promise.all(ready.tokens.slice(i, i + 100).map((tok) => open(tok)));
      await Promise.all(batch.map((s) => ack(s, 'meeting:join', { meetingId: ready.meetingId })));
      sockets.push(...batch);
    }
    console.log(`${sockets.length} delegate sockets connected and joined in ${((now() - tConnect) / 1000).toFixed(1)} s`);
    for (let i = 0; i < N; i += 100) echoSockets.push(...(await Promise.all(ready.tokens.slice(i, i + 100).map((tok) => open(tok, ready.echoUrl)))));
    console.log(`${echoSockets.length} sockets connected to the bare echo-ack server\n`);

    /** When the last socket received `event`, and how many did within 60 s. */
    const arrivals = (event: string, t0: () => number) =>
      Promise.allSettled(
        sockets.map(
          (s) =>
            new Promise<number>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`${event} did not reach every socket in 60 s`)), 60_000);
              s.once(event, () => {
                clearTimeout(timer);
                resolve(now() - t0());
              });
            }),
        ),
      ).then((rs) => ({ ms: Math.max(0, ...rs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))), results: rs }));
    // Every leg of every round, counted, so a ratio is printed only when both its legs completed.
    const legs = new Map<string, Leg>();
    const count = (label: string, results: readonly PromiseSettledResult<unknown>[]) => {
      const leg = legs.get(label) ?? { label, attempted: 0, succeeded: 0 };
      leg.attempted += results.length;
      leg.succeeded += results.filter((r) => r.status === 'fulfilled').length;
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      leg.firstError ??= failed ? String((failed.reason as Error)?.message ?? failed.reason) : undefined;
      legs.set(label, leg);
    };
    const leg = (label: string): Leg => legs.get(label) ?? { label, attempted: 0, succeeded: 0 };
    const ms = (x: number) => `${x.toFixed(1)} ms`;

    const stats = async () => {
      const reply = fromWorker('stats');
      worker.postMessage({ type: 'stats' } satisfies ToServer);
      return (await reply).stats;
    };
    const quiet = (msDelay: number) => new Promise((r) => setTimeout(r, msDelay));
    /** Starts the server thread's profiler ('start'), or stops it and writes the profile under that name. */
    const profile = async (name: string) => {
      const reply = fromWorker('prof');
      worker.postMessage(name === 'start' ? ({ type: 'prof-start', dir: resolvePath(profDir!) } satisfies ToServer) : ({ type: 'prof-stop', name } satisfies ToServer));
      const { file } = await reply;
      if (file) console.log(`server CPU profile (${name}): ${file} (this round's timings include the profiler)`);
    };
    type Round = {
      p50: number; p99: number; max: number; wall: number; cpuMs: number; echoCpuMs: number; elu: number; result: number; bare: number; closeMs: number; bytes: number; fullBytes: number;
      spreadP50: number; spreadP99: number; echoP50: number; echoP99: number; echoWall: number; echoSpreadP99: number;
    };
    const rounds: Record<'open' | 'secret', Round[]> = { open: [], secret: [] };
    /** Every socket casts once: all at once (spreadMs 0) or evenly over spreadMs; counted under `label`. */
    const vote = async (label: string, socks: Sock[], pollId: number, spreadMs: number) => {
      const { results, lat, wall } = await castAll(socks, pollId, spreadMs, ack);
      count(label, results);
      return { lat, wall };
    };
    /** The poll's result must count every ballot; a short count fails the leg. */
    const checkVoted = (label: string, voted: number) =>
      count(label, [voted === sockets.length ? { status: 'fulfilled', value: voted } : { status: 'rejected', reason: new Error(`result counts ${voted} ballots, expected ${sockets.length}`) }]);
    const echoLeg = async () => {
      await quiet(1000);
      await stats();
      const run = await vote('bare echo-ack', echoSockets, 1, 0);
      const cpuMs = (await stats()).cpuMs;
      // (a)'s spread against the bare server too: what the clients' thread and the machine alone add to a p99.
      await quiet(500);
      const spread = await vote('bare echo-ack spread', echoSockets, 1, SPREAD_MS);
      return { ...run, cpuMs, spreadLat: spread.lat };
    };
    const spreadLeg = async (mode: 'open' | 'secret', round: number) => {
      const poll = await ack<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title: `Bench ${mode} spread ${round + 1}`, kind: 'approval', mode, majority: 'simple' });
      await ack(chair, 'poll:open', { pollId: poll.id });
      await quiet(500);
      const { lat } = await vote('casts spread', sockets, poll.id, SPREAD_MS);
      const closed = await ack<{ result: { voted: number } }>(chair, 'poll:close', { pollId: poll.id });
      checkVoted('casts spread', closed.result.voted);
      await quiet(1000);
      return lat;
    };

    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['open', 'secret'] as const) {
        const poll = await ack<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title: `Bench ${mode} ${round + 1}`, kind: 'approval', mode, majority: 'simple' });
        await ack(chair, 'poll:open', { pollId: poll.id });
        await quiet(500);
        await stats();
        const profiling = profDir && round === Number(process.env.BENCH_PROF_ROUND ?? 0);
        if (profiling) await profile('start');
        const { lat, wall } = await vote('casts at once', sockets, poll.id, 0);
        if (profiling) await profile(`votes-at-once-${mode}`);
        const voting = await stats();
        await quiet(1500); // let the coalesced turnout pushes drain

        let tClose = 0;
        const reached = arrivals('poll:closed', () => tClose);
        let payload: unknown = null;
        sockets[0]!.once('poll:closed', (p: unknown) => (payload = p));
        if (profiling) await profile('start');
        tClose = now();
        const closeAck = ack<{ result: { voted: number } }>(chair, 'poll:close', { pollId: poll.id });
        const reachedAll = await reached;
        if (profiling) await profile(`close-${mode}`);
        const result = reachedAll.ms;
        count('result to every socket', reachedAll.results);
        const closed = await closeAck;
        checkVoted('casts at once', closed.result.voted);
        const { closeMs } = await stats();

        // The same payload, to the same sockets, as a bare room broadcast, under the same conditions.
        await quiet(1500);
        let t0 = 0;
        const all = arrivals('bench:bare', () => t0);
        t0 = now();
        worker.postMessage({ type: 'bare', payload, t0 } satisfies ToServer);
        const bareAll = await all;
        const bare = bareAll.ms;
        count('bare room emit', bareAll.results);
        const spread = await spreadLeg(mode, round);
        const echoRun = await echoLeg();
        const r: Round = {
          spreadP50: percentile(spread, 50),
          spreadP99: percentile(spread, 99),
          echoP50: percentile(echoRun.lat, 50),
          echoP99: percentile(echoRun.lat, 99),
          echoWall: echoRun.wall,
          echoSpreadP99: percentile(echoRun.spreadLat, 99),
          p50: percentile(lat, 50),
          p99: percentile(lat, 99),
          max: Math.max(...lat),
          wall,
          cpuMs: voting.cpuMs,
          echoCpuMs: echoRun.cpuMs,
          elu: voting.elu,
          result,
          bare,
          closeMs,
          bytes: Buffer.byteLength(JSON.stringify(payload)),
          fullBytes: Buffer.byteLength(JSON.stringify(closed)),
        };
        rounds[mode].push(r);
        console.log(
          `round ${round + 1} ${mode.padEnd(6)}  cast→ack p50 ${ms(r.p50)} p99 ${ms(r.p99)} (all ${sockets.length} acked in ${ms(wall)}; ` +
            `server thread CPU ${ms(r.cpuMs)}, loop ${(r.elu * 100).toFixed(0)}% busy)  ` +
            `result→all ${ms(result)} (close ${ms(closeMs)} in service) vs bare ${ms(bare)}\n` +
            `        spread over ${SPREAD_MS / 1000} s: cast→ack p50 ${ms(r.spreadP50)} p99 ${ms(r.spreadP99)} (bare echo-ack p99 ${ms(r.echoSpreadP99)}); ` +
            `bare echo-ack all at once: p50 ${ms(r.echoP50)} p99 ${ms(r.echoP99)} all in ${ms(r.echoWall)} (server thread CPU ${ms(r.echoCpuMs)})`,
        );
        await quiet(1000);
      }
    }

    console.log(`\nSummary, median of ${ROUNDS} rounds, ${sockets.length} delegate sockets on loopback:`);
    for (const mode of ['open', 'secret'] as const) {
      const rs = rounds[mode];
      const m = (f: (r: Round) => number) => median(rs.map(f));
      console.log(`${mode} ballots (result payload ${rs[0]!.bytes} B on a phone, ${rs[0]!.fullBytes} B for the secretariat):`);
      console.log(`  (a) spread    cast→ack p50 ${ms(m((r) => r.spreadP50))}   p99 ${ms(m((r) => r.spreadP99))}   (${N} casts evenly over ${SPREAD_MS / 1000} s; goal p99 < 50 ms)`);
      console.log(`      bare echo-ack, spread the same way: p99 ${ms(m((r) => r.echoSpreadP99))} (the clients' thread and the machine, without diemcau)`);
      printRatio('bench-voting', `      ratio (a) p99 vs the bare echo-ack's`, { baseline: leg('bare echo-ack spread'), subject: leg('casts spread') }, m((r) => r.spreadP99) / m((r) => r.echoSpreadP99));
      console.log(`  (b) at once   cast→ack p50 ${ms(m((r) => r.p50))}   p99 ${ms(m((r) => r.p99))}   all acked in ${ms(m((r) => r.wall))}  = ${(N / (m((r) => r.wall) / 1000)).toFixed(0)} ballots/s`);
      console.log(`      bare echo-ack        p50 ${ms(m((r) => r.echoP50))}   p99 ${ms(m((r) => r.echoP99))}   all acked in ${ms(m((r) => r.echoWall))}`);
      const casts = { baseline: leg('bare echo-ack'), subject: leg('casts at once') };
      printRatio('bench-voting', `      ratio vs echo-ack p50 (goal <= 1.5)`, casts, m((r) => r.p50) / m((r) => r.echoP50));
      printRatio('bench-voting', `      ratio vs echo-ack p99 (goal <= 1.5)`, casts, m((r) => r.p99) / m((r) => r.echoP99));
      printRatio('bench-voting', `      ratio vs echo-ack wall (goal <= 1.5)`, casts, m((r) => r.wall) / m((r) => r.echoWall));
      // What each server spent on the storm, robust to other work on the machine: a wall-time ratio is
      // bounded below by it when the server thread is the bottleneck.
      console.log(`      server thread CPU for the 2,000 casts: ${ms(m((r) => r.cpuMs))} against ${ms(m((r) => r.echoCpuMs))} for the bare echo-ack`);
      printRatio('bench-voting', `      ratio of server thread CPU vs echo-ack`, casts, m((r) => r.cpuMs) / m((r) => r.echoCpuMs));
      console.log(`  result → all  ${ms(m((r) => r.result))}  (close command sent → last socket received; of which ${ms(m((r) => r.closeMs))} closing in the service)`);
      console.log(`  bare emit     ${ms(m((r) => r.bare))}  (same payload, same sockets, io.to(room).emit)`);
      printRatio('bench-voting', '  ratio result→all / bare emit', { baseline: leg('bare room emit'), subject: leg('result to every socket') }, m((r) => r.result) / m((r) => r.bare));
      // The fan-out alone: from the service handing the result over to the last socket, against the bare emit.
      printRatio('bench-voting', '  ratio fan-out (result→all minus closing in the service) / bare emit (goal <= 1.3)', { baseline: leg('bare room emit'), subject: leg('result to every socket') }, m((r) => r.result - r.closeMs) / m((r) => r.bare));
    }
  } finally {
    for (const s of [...sockets, ...echoSockets]) s.close();
    worker.postMessage({ type: 'stop' } satisfies ToServer);
    await Promise.race([fromWorker('stopped'), new Promise((r) => setTimeout(r, 15_000))]);
    await worker.terminate();
    console.log(`total ${((now() - started) / 1000).toFixed(1)} s`);
  }
}
