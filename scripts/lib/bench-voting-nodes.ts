/**
 * bench-voting's two-node mode (issue 12): `pnpm bench:voting -- --nodes=2`.
 *
 * Measures the same votes twice in one run, so the figures compare like with like:
 *   1. single node: one server (no Redis), every delegate socket on it;
 *   2. two nodes: two servers sharing one Redis (started here from the Debian package) and one data
 *      directory, the delegate sockets alternating between them. The meeting has one owner node
 *      (server/src/plugins/lease.ts); the other node's casts are forwarded to it over Redis
 *      (realtime-forward.ts), and the turnout and results reach both nodes' sockets.
 * For each, open and secret ballots: (b) all at once (cast→ack p50/p99, all acked, ballots/s),
 * (a) spread over 5 s (p50/p99), and the result reaching every socket after the close; then the
 * two-node figures as ratios of the single node's. Every poll's result must count every ballot,
 * or the leg fails and no ratio is printed. Each server runs in a worker thread of its own.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, printRatio, legOf, type Leg } from './bench-ratio.ts';
import { workerReplies } from './worker-reply.ts';
import { threadCpuMs } from './thread-cpu.ts';
import { ack, castAll, openSocket, type BenchSocket } from './bench-cast.ts';
import { bundleBenchServer, loadBenchServer } from './bench-bundle.ts';

interface NodeData {
  role: 'bench-node';
  n: number;
  dataDir: string;
  redisUrl: string | null;
  nodeId: string;
  /** The first node of a data directory seeds the delegates and starts the meeting. */
  seed: boolean;
  /** The server's code (bench-bundle.ts). */
  serverUrl: string;
}
type Ready = { type: 'ready'; url: string; meetingId: number; chairToken: string; tokens: string[] };
type FromNode = Ready | { type: 'cpu'; ms: number } | { type: 'stopped' } | { type: 'error'; message: string };
type ToNode = { type: 'cpu' } | { type: 'stop' };

const SPREAD_MS = 5000;
const now = () => performance.timeOrigin + performance.now();

if (!isMainThread && (workerData as NodeData | undefined)?.role === 'bench-node') await nodeServer(workerData as NodeData);

// ---------------------------------------------------------------- a server node (worker thread)
async function nodeServer(d: NodeData) {
  const port = parentPort!;
  const { buildApp, loadConfig, seedBenchDelegates } = await loadBenchServer(d.serverUrl);
  const base = loadConfig({}, { dataDir: d.dataDir, logLevel: 'warn', seedDemo: d.seed, webDistDir: join(d.dataDir, 'no-web'), redisUrl: d.redisUrl });
  const config = { ...base, cluster: { ...base.cluster, nodeId: d.nodeId } };
  const app = await buildApp(config, { logger: false, realtime: { rateBurst: 1000, ratePerSecond: 1000 } });
  // As server.ts does for a real node: a library's unhandled rejection is reported, not fatal.
  process.on('unhandledRejection', (err) => console.error(`bench node ${d.nodeId}: unhandled rejection: ${String((err as Error)?.stack ?? err)}`));
  try {
    let ready: Omit<Ready, 'url'> = { type: 'ready', meetingId: 0, chairToken: '', tokens: [] };
    if (d.seed) {
      const { meeting, chair, session, ids, tokens } = await seedBenchDelegates(app, d.n);
      const actor = { userId: chair.id, role: 'secretariat' as const, bridgePointId: null, chair: true, displayName: chair.fullName };
      await app.conference.execute(meeting.id, actor, { type: 'meeting:start' });
      for (const userId of ids) await app.conference.execute(meeting.id, actor, { type: 'presence:set-delegate', userId, status: 'present_in_person' });
      ready = { type: 'ready', meetingId: meeting.id, chairToken: await session(chair.id), tokens };
    }
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    port.postMessage({ ...ready, url: `http://127.0.0.1:${addr.port}` } satisfies FromNode);
    let cpu = threadCpuMs();
    await new Promise<void>((resolve) =>
      port.on('message', (m: ToNode) => {
        if (m.type === 'stop') return resolve();
        const at = threadCpuMs();
        port.postMessage({ type: 'cpu', ms: at - cpu } satisfies FromNode);
        cpu = at;
      }),
    );
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies FromNode);
  } finally {
    await app.close();
    port.postMessage({ type: 'stopped' } satisfies FromNode);
  }
}

// ---------------------------------------------------------------- the client side (main thread)
class NodeThread {
  readonly worker: Worker;
  #stopped = false;
  constructor(data: Omit<NodeData, 'role'>) {
    // The worker needs the TypeScript loader too; tsx's hooks do not carry over to workers by themselves.
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    this.worker = new Worker(boot, { eval: true, workerData: { role: 'bench-node', ...data } satisfies NodeData });
    // A server thread that dies (an uncaught error in the server) is reported and fails the legs it was
    // serving (their acks never come), rather than taking the bench's own process down with it.
    this.worker.on('error', (err) => {
      console.error(`bench node ${data.nodeId} died: ${err.stack ?? String(err)}`);
      process.exitCode = 1;
    });
  }
  next<T extends FromNode['type']>(type: T): Promise<Extract<FromNode, { type: T }>> {
    return workerReplies<FromNode>(this.worker)(type);
  }
  async cpu(): Promise<number> {
    const reply = this.next('cpu');
    this.worker.postMessage({ type: 'cpu' } satisfies ToNode);
    return (await reply).ms;
  }
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const stopped = this.next('stopped').catch(() => undefined);
    this.worker.postMessage({ type: 'stop' } satisfies ToNode);
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 15_000))]);
    await this.worker.terminate();
  }
}

interface Figures {
  p50: number;
  p99: number;
  wall: number;
  spreadP50: number;
  spreadP99: number;
  result: number;
  cpuMs: number;
}
type Setup = { label: string; figures: Record<'open' | 'secret', Figures[]>; legs: Map<string, Leg> };

/** Connects the sockets (the i-th to urls[i % urls.length]), runs the rounds, returns the figures. */
async function measure(label: string, urls: string[], ready: Ready, nodes: NodeThread[], rounds: number): Promise<Setup> {
  type Sock = BenchSocket;
  const open = (token: string, url: string) => openSocket(url, token);
  const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const legs = new Map<string, Leg>();
  const count = (name: string, results: readonly PromiseSettledResult<unknown>[]) => {
    const l = legOf(name, results);
    const was = legs.get(name);
    legs.set(name, was ? { label: name, attempted: was.attempted + l.attempted, succeeded: was.succeeded + l.succeeded, firstError: was.firstError ?? l.firstError } : l);
  };
  const sockets: Sock[] = [];
  const chair = await open(ready.chairToken, urls[0]!);
  try {
    await ack(chair, 'meeting:join', { meetingId: ready.meetingId });
    for (let i = 0; i < ready.tokens.length; i += 100) {
      const batch = await Promise.all(ready.tokens.slice(i, i + 100).map((tok, j) => open(tok, urls[(i + j) % urls.length]!)));
      await Promise.all(batch.map((s) => ack(s, 'meeting:join', { meetingId: ready.meetingId })));
      sockets.push(...batch);
    }
    console.log(`${label}: ${sockets.length} delegate sockets joined, spread over ${urls.length} node(s)`);
    const vote = async (leg: string, pollId: number, spreadMs: number) => {
      const { results, lat, wall } = await castAll(sockets, pollId, spreadMs, ack);
      count(leg, results);
      return { lat, wall };
    };
    /** Opens a poll, runs `cast`, closes it; the close must count every ballot and reach every socket. */
    const poll = async <T>(mode: 'open' | 'secret', title: string, cast: (pollId: number) => Promise<T>) => {
      const { id } = await ack<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title, kind: 'approval', mode, majority: 'simple' });
      await ack(chair, 'poll:open', { pollId: id });
      await quiet(500);
      const out = await cast(id);
      await quiet(1500);
      const reached = Promise.allSettled(
        sockets.map((s) => new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('poll:closed did not reach every socket in 60 s')), 60_000);
          s.once('poll:closed', () => (clearTimeout(timer), resolve(now())));
        })),
      );
      const t0 = now();
      const closed = await ack<{ result: { voted: number } }>(chair, 'poll:close', { pollId: id });
      const arrivals = await reached;
      count('result to every socket', arrivals);
      const ok = closed.result.voted === sockets.length;
      count(`${title}: every ballot counted`, [ok ? { status: 'fulfilled', value: 0 } : { status: 'rejected', reason: new Error(`result counts ${closed.result.voted}, expected ${sockets.length}`) }]);
      const result = Math.max(0, ...arrivals.flatMap((r) => (r.status === 'fulfilled' ? [r.value - t0] : [])));
      return { out, result };
    };
    const figures: Setup['figures'] = { open: [], secret: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['open', 'secret'] as const) {
        let cpuMs = 0;
        const once = await poll(mode, `${label} ${mode} ${round + 1}`, async (pollId) => {
          await Promise.all(nodes.map((n) => n.cpu()));
          const r = await vote('casts at once', pollId, 0);
          cpuMs = (await Promise.all(nodes.map((n) => n.cpu()))).reduce((a, b) => a + b, 0);
          return r;
        });
        const spread = await poll(mode, `${label} ${mode} spread ${round + 1}`, (pollId) => vote('casts spread', pollId, SPREAD_MS));
        const f: Figures = { p50: percentile(once.out.lat, 50), p99: percentile(once.out.lat, 99), wall: once.out.wall, spreadP50: percentile(spread.out.lat, 50), spreadP99: percentile(spread.out.lat, 99), result: once.result, cpuMs };
        figures[mode].push(f);
        const ms = (x: number) => `${x.toFixed(1)} ms`;
        console.log(`  round ${round + 1} ${mode.padEnd(6)} at once p50 ${ms(f.p50)} p99 ${ms(f.p99)} all in ${ms(f.wall)} (server threads' CPU ${ms(f.cpuMs)}); spread p50 ${ms(f.spreadP50)} p99 ${ms(f.spreadP99)}; result→all ${ms(f.result)}`);
      }
    }
    return { label, figures, legs };
  } finally {
    for (const s of [chair, ...sockets]) s.close();
  }
}

/** `--nodes=2`: the single-node and the two-node figures of one run, and their ratios. */
export async function twoNodeBench(n: number, rounds: number): Promise<void> {
  const { startRedis } = await import('./services.mjs');
  const dirs: string[] = [];
  const dir = () => (dirs.push(mkdtempSync(join(tmpdir(), 'diemcau-bench-nodes-'))), dirs.at(-1)!);
  const started: NodeThread[] = [];
  const serverUrl = await bundleBenchServer();
  const start = async (data: Omit<NodeData, 'role' | 'serverUrl'>) => {
    const t = new NodeThread({ ...data, serverUrl });
    started.push(t);
    return { thread: t, ready: await t.next('ready') };
  };
  const redis = await startRedis();
  try {
    const single = await start({ n, dataDir: dir(), redisUrl: null, nodeId: 'single', seed: true });
    const one = await measure('single node', [single.ready.url], single.ready, [single.thread], rounds);
    await single.thread.stop();

    const shared = dir();
    // One after the other: the first migrates and seeds the shared database, the second finds it ready.
    const a = await start({ n, dataDir: shared, redisUrl: redis.url, nodeId: 'bench-a', seed: true });
    const b = await start({ n, dataDir: shared, redisUrl: redis.url, nodeId: 'bench-b', seed: false });
    const two = await measure('two nodes', [a.ready.url, b.ready.url], a.ready, [a.thread, b.thread], rounds);

    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`\nSummary, median of ${rounds} rounds, ${n} delegate sockets on loopback (two nodes: sockets alternate between them):`);
    for (const mode of ['open', 'secret'] as const) {
      const m = (s: Setup, f: (x: Figures) => number) => med(s.figures[mode].map(f));
      console.log(`${mode} ballots            single node        two nodes`);
      const row = (name: string, f: (x: Figures) => number) => console.log(`  ${name.padEnd(22)}${ms(m(one, f)).padStart(12)}   ${ms(m(two, f)).padStart(14)}`);
      row('(b) at once p50', (x) => x.p50);
      row('(b) at once p99', (x) => x.p99);
      row('(b) all acked', (x) => x.wall);
      console.log(`  ${'(b) ballots/s'.padEnd(22)}${(n / (m(one, (x) => x.wall) / 1000)).toFixed(0).padStart(12)}   ${(n / (m(two, (x) => x.wall) / 1000)).toFixed(0).padStart(14)}`);
      row('(b) server CPU, all', (x) => x.cpuMs);
      row('(a) spread p50', (x) => x.spreadP50);
      row('(a) spread p99', (x) => x.spreadP99);
      row('result → every socket', (x) => x.result);
      const legs = (name: string) => ({ baseline: one.legs.get(name) ?? { label: name, attempted: 0, succeeded: 0 }, subject: two.legs.get(name) ?? { label: name, attempted: 0, succeeded: 0 } });
      printRatio('bench-voting --nodes=2', `  two nodes / single: (b) all acked`, legs('casts at once'), m(two, (x) => x.wall) / m(one, (x) => x.wall));
      printRatio('bench-voting --nodes=2', `  two nodes / single: (b) p99`, legs('casts at once'), m(two, (x) => x.p99) / m(one, (x) => x.p99));
      printRatio('bench-voting --nodes=2', `  two nodes / single: (a) spread p99`, legs('casts spread'), m(two, (x) => x.spreadP99) / m(one, (x) => x.spreadP99));
      printRatio('bench-voting --nodes=2', `  two nodes / single: result → every socket`, legs('result to every socket'), m(two, (x) => x.result) / m(one, (x) => x.result));
    }
    for (const setup of [one, two]) {
      for (const leg of setup.legs.values()) if (leg.succeeded !== leg.attempted) {
        console.error(`${setup.label}: ${leg.label}: ${leg.succeeded}/${leg.attempted} succeeded (${leg.firstError})`);
        process.exitCode = 1;
      }
    }
  } finally {
    await Promise.allSettled(started.map((t) => t.stop()));
    await redis.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
