/**
 * SFU benchmark: synthetic bridges through mediasoup PlainTransports with RTP
 * at realistic bitrates (camera simulcast 180p 150 kbps + 360p 500 kbps, opus
 * 40 kbps), all on loopback.
 *
 *   pnpm bench:sfu                       (about two minutes, stops by itself)
 *   BENCH_SFU_MAX_CONSUMERS=2000 BENCH_SFU_STEP=200 pnpm bench:sfu
 *
 * It needs most of a core for the workers and a quarter of one for the RTP
 * generator. On a machine shared with other sessions (Linux shares CPU between
 * sessions first, so `nice` alone does not help), give it its own session:
 *   setsid bash -c 'echo -10 > /proc/self/autogroup; exec pnpm bench:sfu'
 *
 * 1. Ramp on ONE worker: 10 publishing bridges; viewers are added 100 at a time
 *    (each a transport with one 360p video consumer and one opus consumer,
 *    i.e. 200 consumers per step). Per step it measures the worker's CPU from
 *    /proc/<pid>/stat and the packets it forwarded (consumer stats), until the
 *    worker passes 80 % of a core or the limits are hit. Prints CPU per 100
 *    consumers and the largest consumer count under 80 %.
 * 2. Baseline: the same 213-bridge shape on ONE bare mediasoup router (below).
 * 3. The 213-bridge shape through the real MediaService (placement, pipes, floor,
 *    link sampling) on all workers: every bridge publishes camera + mic, bridge
 *    1 is on the main stage, bridge 2 has the floor; every bridge consumes the
 *    stage video at the top layer and the floor audio; the chair consumes all
 *    213 cameras at the lowest layer plus the floor audio. Prints per-worker CPU,
 *    the piped producers, whether it fits this machine, and the ratio to the
 *    baseline (only if the baseline forwarded to every consumer).
 *    BENCH_SFU_RAMP=0 skips step 1.
 *
 * In steps 2 and 3 the bridges' RTP starts once every transport and consumer
 * exists (the same for both legs), so placement there decides by the cost
 * model and whatever load the workers already measured.
 *
 * Media goes to a UDP socket held by a stopped child process: the kernel
 * accepts and drops it, like a NIC would, without a reader costing CPU here.
 */
import { cpus, loadavg } from 'node:os';
import { loadConfig } from '../server/src/config.ts';
import { WorkerPool } from '../server/src/modules/media/worker-pool.ts';
import { Room } from '../server/src/modules/media/room.ts';
import { MediaService } from '../server/src/modules/media/media.service.ts';
import type { ms } from '../server/src/modules/media/mediasoup.ts';
import type { Peer, PeerInfo } from '../server/src/modules/media/peer.ts';
import { plainReceiverCapabilities } from './lib/rtp-mediasoup.ts';
import { printRatio, type Leg } from './lib/bench-ratio.ts';
import { measureShape, window } from './lib/sfu-measure.ts';
import { blackhole, LAYERS, RtpLoad, type Produce } from './lib/sfu-load.ts';

const HARD_LIMIT_MS = Number(process.env.BENCH_SFU_HARD_LIMIT_MS ?? 240_000);
const RAMP_LIMIT_MS = Number(process.env.BENCH_SFU_RAMP_MS ?? 100_000);
const MAX_CONSUMERS = Number(process.env.BENCH_SFU_MAX_CONSUMERS ?? 3000);
const STEP = Number(process.env.BENCH_SFU_STEP ?? 200);
const BRIDGES = Number(process.env.BENCH_SFU_BRIDGES ?? 213);
const MEASURE_MS = 3000;
const CPU_LIMIT = 80;
const config = loadConfig();
/** Consumers in the shape: every bridge but the stage watches the stage camera, every bridge but the floor hears the floor mic, the chair gets every camera and the floor mic. */
const shapeConsumers = (bridges: number) => 2 * (bridges - 1) + bridges + 1;
const hard = setTimeout(() => {
  console.error(`bench-sfu: hard time limit ${HARD_LIMIT_MS} ms reached; exiting`);
  process.exit(2);
}, HARD_LIMIT_MS);
hard.unref();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---- load generation ----------------------------------------------------------

const load = new RtpLoad();

interface Bridge {
  peer: Peer;
  video: ms.Producer;
  audio: ms.Producer;
}

/** A publishing bridge: plain send transport, simulcast camera and opus mic. */
async function publish(room: Room, peer: Peer, produce: Produce): Promise<Bridge> {
  const { video, audio } = await load.publishOn(await room.createPlainTransport(peer, 'send', { comedia: true }), produce);
  return { peer, video, audio };
}

async function receiver(room: Room, peer: Peer, sinkPort: number): Promise<ms.PlainTransport> {
  peer.rtpCapabilities ??= plainReceiverCapabilities(room.rtpCapabilities);
  const t = await room.createPlainTransport(peer, 'recv', { comedia: false });
  await t.connect({ ip: '127.0.0.1', port: sinkPort });
  return t;
}

const info = (userId: number, bridgePointId: number | null, chair = false): PeerInfo => ({
  userId,
  role: chair ? 'secretariat' : bridgePointId !== null ? 'bridge_operator' : 'delegate',
  bridgePointId,
  label: bridgePointId !== null ? `Điểm cầu ${bridgePointId}` : `Người xem ${userId}`,
  chair,
});

// ---- 1. ramp on one worker ----------------------------------------------------

async function ramp(sinkPort: number) {
  console.log(`\n== 1. One worker: viewers of 360p video + opus, ${STEP} consumers per step ==`);
  const pool = await WorkerPool.create({ ...config.mediasoup, numWorkers: 1 });
  const pid = pool.workers[0]!.pid;
  const room = await Room.create({ meetingId: 1, pool, consumerBudget: Number.MAX_SAFE_INTEGER, listenIp: '127.0.0.1', announcedIp: null });
  const started = performance.now();
  const rows: { consumers: number; cpu: number; pps: number; starved: boolean }[] = [];
  try {
    const bridges: Bridge[] = [];
    for (let i = 1; i <= 10; i++) {
      const peer = room.addPeer(`pub${i}`, info(1000 + i, i));
      bridges.push(await publish(room, peer, (req) => room.produce(peer, req)));
    }
    // Let every layer become eligible (mediasoup wants 2 s of activity) before consuming.
    await sleep(2500);
    const consumers: ms.Consumer[] = [];
    const base = await window([pid], load.pumps, MEASURE_MS);
    console.log(`  publishers only (10 bridges): worker ${fmt(base.cpu[0]!, 1)} %`);
    rows.push({ consumers: 0, cpu: base.cpu[0]!, pps: 0, starved: false });
    console.log('  consumers   worker CPU   forwarded pkt/s   machine CPU (softirq)   bench process CPU');
    let viewer = 0;
    // Each viewer pair forwards one 360p stream (2 packets x 30 fps) and one opus stream (50 packets/s).
    const expectedPerConsumer = (2 * 30 + 50) / 2;
    while (consumers.length < MAX_CONSUMERS && performance.now() - started < RAMP_LIMIT_MS) {
      const batch = Array.from({ length: STEP / 2 }, () => viewer++);
      try {
        await Promise.all(
          batch.map(async (v) => {
            const peer = room.addPeer(`v${v}`, info(5000 + v, null));
            const t = await receiver(room, peer, sinkPort);
            const b = bridges[v % bridges.length]!;
            for (const [producer, layer] of [[b.video, 1], [b.audio, 0]] as const) {
              const e = await room.consume(peer, { transportId: t.id, producerId: producer.id, paused: false, spatialLayer: layer });
              consumers.push(e.consumer);
            }
          }),
        );
      } catch (err) {
        console.log(`  stopped: the worker did not answer in time (${(err as Error).message}); the machine is overloaded`);
        break;
      }
      await sleep(1000);
      const w = await window([pid], load.pumps, MEASURE_MS);
      // A worker that cannot keep up (or is starved by other load on the machine) forwards less than it should.
      const starved = w.pps < consumers.length * expectedPerConsumer * 0.9;
      rows.push({ consumers: consumers.length, cpu: w.cpu[0]!, pps: w.pps, starved });
      console.log(
        `  ${String(consumers.length).padStart(9)}   ${fmt(w.cpu[0]!, 1).padStart(8)} %   ${fmt(w.pps).padStart(15)}   ` +
          `${fmt(w.machine, 0).padStart(8)} % (${fmt(w.softirq, 0)} %)      ${fmt(w.benchCpu, 1).padStart(8)} %${starved ? '   <- falling behind' : ''}`,
      );
      if (w.cpu[0]! > CPU_LIMIT || starved) break;
    }
  } finally {
    room.close();
    pool.close();
    load.closePumps();
  }
  // Least-squares slope of CPU over consumers, above the publishers' baseline.
  const pts = rows.filter((r) => r.consumers > 0 && !r.starved);
  if (pts.length < 2) {
    console.log('\n  not enough clean measurements (the machine is busy); run again on a quiet machine');
    return null;
  }
  const n = pts.length;
  const mx = pts.reduce((a, r) => a + r.consumers, 0) / n;
  const my = pts.reduce((a, r) => a + r.cpu, 0) / n;
  const slope = pts.reduce((a, r) => a + (r.consumers - mx) * (r.cpu - my), 0) / pts.reduce((a, r) => a + (r.consumers - mx) ** 2, 0);
  const intercept = my - slope * mx;
  const per100 = slope * 100;
  const ppsPer100 = (pts.reduce((a, r) => a + r.pps / r.consumers, 0) / n) * 100;
  const under = pts.filter((r) => r.cpu <= CPU_LIMIT).at(-1) ?? pts[0]!;
  const reached = rows.some((r) => r.cpu > CPU_LIMIT && !r.starved);
  if (rows.some((r) => r.starved)) {
    console.log('  (the last step fell behind — it forwarded under 90 % of what its consumers need — and is left out of the fit)');
  }
  const extrapolated = Math.floor((CPU_LIMIT - intercept) / slope);
  console.log(`\n  worker CPU per 100 consumers: ${fmt(per100, 2)} % of a core (${fmt(ppsPer100)} forwarded pkt/s per 100 consumers)`);
  console.log(
    reached
      ? `  largest consumer count under ${CPU_LIMIT} % of a core: ${under.consumers} (measured)`
      : `  largest consumer count under ${CPU_LIMIT} % of a core: > ${under.consumers} measured; about ${fmt(extrapolated)} by the linear fit`,
  );
  return { per100, maxUnder: reached ? under.consumers : extrapolated, measured: reached };
}

// ---- 2. the same shape on one bare mediasoup router (the baseline) -------------

/**
 * The same shape (every bridge camera + mic; every bridge consumes the stage
 * camera at the top layer and the floor mic; the chair every camera at the
 * lowest layer plus the floor mic) on ONE router of ONE worker, straight on
 * mediasoup: no rooms, policy, pipes or link sampling.
 */
async function bareShape(sinkPort: number) {
  console.log(`\n== 2. Baseline: the ${BRIDGES}-bridge shape on one bare mediasoup router ==`);
  const pool = await WorkerPool.create({ ...config.mediasoup, numWorkers: 1, loadSampleMs: 3_600_000 });
  try {
    const router = await pool.createRouter();
    const listenIp = { ip: '127.0.0.1' };
    const caps = plainReceiverCapabilities(router.rtpCapabilities);
    const bridges: { video: ms.Producer; audio: ms.Producer; recv: ms.PlainTransport }[] = [];
    load.hold();
    for (let i = 1; i <= BRIDGES; i++) {
      const send = await router.createPlainTransport({ listenIp, rtcpMux: true, comedia: true });
      const media = await load.publishOn(send, (req) => send.produce({ kind: req.kind, rtpParameters: req.rtpParameters }));
      const recv = await router.createPlainTransport({ listenIp, rtcpMux: true, comedia: false });
      await recv.connect({ ip: '127.0.0.1', port: sinkPort });
      bridges.push({ ...media, recv });
    }
    const consumers: ms.Consumer[] = [];
    const consume = async (t: ms.PlainTransport, p: ms.Producer, spatialLayer: number) =>
      consumers.push(await t.consume({ producerId: p.id, rtpCapabilities: caps, ...(p.kind === 'video' ? { preferredLayers: { spatialLayer } } : {}) }));
    const [stage, floor] = [bridges[0]!, bridges[1]!];
    for (const b of bridges) {
      if (b !== stage) await consume(b.recv, stage.video, LAYERS.length - 1);
      if (b !== floor) await consume(b.recv, floor.audio, 0);
    }
    const chair = await router.createPlainTransport({ listenIp, rtcpMux: true, comedia: false });
    await chair.connect({ ip: '127.0.0.1', port: sinkPort });
    for (const b of bridges) await consume(chair, b.video, 0);
    await consume(chair, floor.audio, 0);
    console.log(`  ${BRIDGES} bridges and ${consumers.length} consumers on one router; starting the RTP`);
    await load.flow();
    const pid = pool.workers[0]!.pid;
    const { w, toConsumers, silent } = await measureShape([pid], consumers, load.pumps, MEASURE_MS);
    console.log(`  ${consumers.length} consumers; worker ${pid} ${fmt(w.cpu[0]!, 1)} % of a core; forwarded to consumers ${fmt(toConsumers)} pkt/s; silent consumers: ${silent}`);
    return { cpu: w.cpu[0]!, consumers: consumers.length, pps: toConsumers, silent };
  } finally {
    pool.close();
    load.closePumps();
  }
}

// ---- 3. the 213-bridge shape through the project ---------------------------------------------------

async function shape(sinkPort: number) {
  const numWorkers = config.mediasoup.numWorkers;
  console.log(
    `\n== 3. ${BRIDGES} bridges through MediaService on ${numWorkers} workers (worker limit ${config.mediasoup.workerCpuLimit} % of a core, ` +
      `ceiling ${config.mediasoup.consumerBudgetPerRouter} consumers/router) ==`,
  );
  const M = 1;
  const notifier = { toMeeting: () => {}, toPeer: () => {} };
  const service = await MediaService.create({ ...config.mediasoup, listenIp: '127.0.0.1', announcedIp: null, notifier });
  try {
    await service.getCapabilities(M, 'chair', info(1, null, true));
    const room = service.room(M)!;
    const bridges: Bridge[] = [];
    load.hold();
    const t0 = performance.now();
    for (let i = 1; i <= BRIDGES; i++) {
      const id = `b${i}`;
      await service.getCapabilities(M, id, info(100 + i, i));
      const peer = room.peer(id)!;
      bridges.push(
        await publish(room, peer, async (req) => room.producerEntry((await service.produce(M, id, req)).producerId).producer),
      );
    }
    service.setStage(M, 'chair', { type: 'bridge', bridgePointId: 1 });
    await service.onFloorChanged(M, { userId: 102, bridgePointId: 2 }, true);
    console.log(`  ${BRIDGES} bridges' producers created in ${fmt((performance.now() - t0) / 1000, 1)} s; ${load.pumps.length} RTP senders`);

    const consumers: ms.Consumer[] = [];
    const stage = bridges[0]!;
    const floor = bridges[1]!;
    const top = LAYERS.length - 1;
    for (const b of bridges) {
      const t = await receiver(room, b.peer, sinkPort);
      const wants: [ms.Producer, number][] = [];
      if (b !== stage) wants.push([stage.video, top]);
      if (b !== floor) wants.push([floor.audio, 0]);
      for (const [p, layer] of wants) {
        const c = await service.consume(M, b.peer.id, { transportId: t.id, producerId: p.id, spatialLayer: layer });
        await service.setConsumerPaused(M, b.peer.id, c.consumerId, false);
        consumers.push(b.peer.consumer(c.consumerId).consumer);
      }
    }
    const chair = room.peer('chair')!;
    const ct = await receiver(room, chair, sinkPort);
    for (const p of [...bridges.map((b) => [b.video, 0] as const), [floor.audio, 0] as const]) {
      const c = await service.consume(M, 'chair', { transportId: ct.id, producerId: p[0].id, spatialLayer: p[1] });
      await service.setConsumerPaused(M, 'chair', c.consumerId, false);
      consumers.push(chair.consumer(c.consumerId).consumer);
    }
    const loads = room.routerLoads();
    const piped = loads.reduce((a, l) => a + l.piped, 0);
    console.log(`  ${consumers.length} consumers on ${loads.length} router(s): ${loads.map((l) => `${l.consumers} (worker ${l.workerPid}, ${l.piped} producers piped in)`).join(', ')}`);
    console.log(`  piped producers: ${piped}; starting the RTP`);
    await load.flow();
    const pids = service.pool.workers.map((w) => w.pid);
    const measured = await measureShape(pids, consumers, load.pumps, MEASURE_MS).catch((err: Error) => err);
    if (measured instanceof Error) {
      // Keep what placement did; only the measurement is lost.
      console.log(`  measuring failed: ${measured.message}`);
      const none = { cpu: [NaN], total: NaN, pps: NaN, fits: false, error: measured.message };
      return { ...none, consumers: consumers.length, routers: loads.length, piped, silent: consumers.length };
    }
    const { w, toConsumers, silent } = measured;
    const total = w.cpu.reduce((a, b) => a + b, 0);
    console.log(`  forwarded to consumers: ${fmt(toConsumers)} pkt/s (consumer stats); all UDP the workers sent incl. pipes between them and RTCP: ${fmt(w.pps)} pkt/s`);
    console.log(`  received from the bridges: ${fmt(w.ingress)} pkt/s`);
    console.log(`  worker CPU: ${w.cpu.map((c, i) => `worker ${pids[i]} ${fmt(c, 1)} %`).join(', ')} (total ${fmt(total, 1)} % of ${numWorkers} cores)`);
    // What placement itself sees: the pool's last getResourceUsage sample (every MEDIA_LOAD_SAMPLE_MS) and the cost model.
    console.log(
      `  placement's view: ${service.pool
        .loads()
        .map((l) => `worker ${l.pid} measured ${l.cpu === null ? '—' : `${fmt(l.cpu, 1)} %`}, modelled ${fmt(l.modeled, 1)} % (${l.producers} producers, ${l.consumers} consumers, ${l.pipes} pipes out)`)
        .join('; ')}`,
    );
    console.log(`  bench process (RTP generator + mediasoup Node side): ${fmt(w.benchCpu, 1)} % of a core; whole machine ${fmt(w.machine, 0)} % of ${cpus().length * 100} % (softirq ${fmt(w.softirq, 0)} %)`);
    const cores = cpus().length;
    const fits = w.cpu.length <= cores && w.cpu.every((c) => c < CPU_LIMIT);
    console.log(
      `  fits this ${cores}-core machine: ${fits ? 'YES' : 'NO'} — every worker under ${CPU_LIMIT} % of a core` +
        ` (the RTP generator here stands in for ${BRIDGES} remote PCs and would not run on the server)`,
    );
    return { cpu: w.cpu, total, pps: toConsumers, consumers: consumers.length, routers: loads.length, piped, fits, silent, error: undefined };
  } finally {
    service.close();
    load.closePumps();
  }
}

async function main() {
  const hole = await blackhole(HARD_LIMIT_MS + 10_000);
  try {
    console.log(`bench-sfu: mediasoup worker ${config.mediasoup.workerBin}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
    console.log(`layers ${LAYERS.map((l) => `${l.label} ${l.bitrate / 1000} kbps`).join(', ')}, opus 40 kbps, 30 fps video, 20 ms audio`);
    // Other work on the machine starves the workers and the RTP generator alike: say so up front.
    const loadAvg = loadavg()[0]!;
    if (loadAvg > cpus().length) console.log(`warning: load average ${fmt(loadAvg, 1)} on ${cpus().length} cores before starting; figures will read high`);
    if (process.env.BENCH_SFU_RAMP !== '0') await ramp(hole.port);
    // A leg that throws (a worker not answering on an overloaded machine) still lets the other run;
    // it only counts as a leg that carried none of the shape.
    const failed = (leg: string) => (err: unknown) => {
      console.log(`  the ${leg} leg failed: ${(err as Error).message}`);
      return { cpu: [NaN], total: NaN, pps: NaN, consumers: 0, routers: 0, piped: 0, fits: false, silent: 0, error: (err as Error).message };
    };
    const base = await bareShape(hole.port).then((r) => ({ ...r, cpu: [r.cpu], total: r.cpu, error: undefined }), failed('baseline'));
    const ours = await shape(hole.port).catch(failed('MediaService'));
    console.log('\n== Summary: the project against one bare router, same shape, same run ==');
    console.log(`  worker CPU: ${ours.cpu.map((c) => `${fmt(c, 1)} %`).join(', ')}; piped producers: ${ours.piped}; routers: ${ours.routers}`);
    console.log(`  total worker CPU ${fmt(ours.total, 1)} % vs bare ${fmt(base.total, 1)} %; packets forwarded ${fmt(ours.pps)} vs ${fmt(base.pps)} pkt/s`);
    console.log(`  fits (every worker under ${CPU_LIMIT} % of a core): ${ours.fits ? 'YES' : 'NO'}`);
    // A ratio is only meaningful when both legs carried the whole shape: every consumer the
    // shape has exists and forwarded packets during the measurement.
    const expected = shapeConsumers(BRIDGES);
    const leg = (label: string, r: { consumers: number; silent: number; error: string | undefined }): Leg => ({
      label,
      attempted: expected,
      succeeded: Math.max(0, r.consumers - r.silent),
      firstError: r.error ?? (r.consumers !== expected ? `${r.consumers} consumers created` : r.silent ? `${r.silent} consumers forwarded nothing` : undefined),
    });
    const legs = { baseline: leg('one bare router', base), subject: leg('MediaService', ours) };
    printRatio('bench-sfu', `  ratio worker CPU, project / bare router (${BRIDGES}-bridge shape)`, legs, ours.total / base.total);
    printRatio('bench-sfu', '  ratio packets forwarded, project / bare router', legs, ours.pps / base.pps);
    // On a busy machine the generator paces the legs a little differently: CPU per forwarded packet evens that out.
    printRatio('bench-sfu', '  ratio worker CPU per forwarded packet, project / bare router', legs, ours.total / ours.pps / (base.total / base.pps));
  } finally {
    load.stop();
    hole.child.kill('SIGKILL');
  }
}

main().then(
  // exit() ignores process.exitCode unless passed: a refused ratio must still fail the run.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
