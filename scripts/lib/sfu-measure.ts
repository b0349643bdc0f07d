/**
 * What the SFU bench measures, from /proc and mediasoup stats: CPU of the worker
 * processes and of the whole machine, and the packets the workers forwarded.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ms } from '../../server/src/modules/media/mediasoup.ts';
import type { RtpPump } from './rtp-pump.ts';

export const CLK_TCK = 100; // Linux USER_HZ; getconf CLK_TCK is 100 on every supported kernel
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time `pid` has used (user + system), in clock ticks (CLK_TCK a second). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** CPU of each pid over `ms`, in % of one core. */
export async function measureCpu(pids: number[], ms: number): Promise<number[]> {
  const a = pids.map(cpuTicks);
  const t0 = performance.now();
  await sleep(ms);
  const secs = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => ((cpuTicks(pid) - a[i]!) / CLK_TCK / secs) * 100);
}

/**
 * RTP packets each consumer sent, from its stats (exact, but one request per consumer).
 * Few at a time: a worker busy forwarding answers a long queue of requests too late
 * for mediasoup's channel timeout.
 */
async function consumerPacketsEach(consumers: ms.Consumer[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < consumers.length; i += 20) {
    const batch = await Promise.all(consumers.slice(i, i + 20).map((c) => c.getStats()));
    for (const stats of batch) out.push(stats.filter((st) => st.type === 'outbound-rtp').reduce((a, st) => a + st.packetCount, 0));
  }
  return out;
}

/** UDP datagrams sent by every process on the machine (loopback included), from /proc/net/snmp. */
function udpOut(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const [head, vals] = lines.map((l) => l.trim().split(/\s+/));
  return Number(vals![head!.indexOf('OutDatagrams')]);
}

/** Busy and softirq time of the whole machine, in jiffies, from /proc/stat. */
function systemTicks(): { busy: number; softirq: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [, , , idle, iowait, irq, softirq] = f as [number, number, number, number, number, number, number];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle - iowait, softirq: softirq + irq, total };
}

/**
 * Measures worker CPU over a window, plus the whole machine's CPU (kernel
 * softirq for loopback delivery is not charged to the worker) and the packets
 * forwarded: every UDP datagram the machine sent minus what the bench's RTP
 * generator sent (the rest is the workers' RTP, plus their RTCP, a few %).
 */
export async function window(pids: number[], pumps: readonly RtpPump[], measureMs: number) {
  const in0 = pumps.reduce((a, p) => a + p.packetsSent, 0);
  const out0 = udpOut();
  const sys0 = systemTicks();
  const gen0 = process.cpuUsage();
  const t0 = performance.now();
  const cpu = await measureCpu(pids, measureMs);
  const secs = (performance.now() - t0) / 1000;
  const gen = process.cpuUsage(gen0);
  const sys1 = systemTicks();
  const sent = (pumps.reduce((a, p) => a + p.packetsSent, 0) - in0) / secs;
  const pps = (udpOut() - out0) / secs - sent;
  const cores = cpus().length;
  const dt = sys1.total - sys0.total;
  return {
    cpu,
    pps,
    ingress: sent,
    benchCpu: ((gen.user + gen.system) / 1e6 / secs) * 100,
    machine: ((sys1.busy - sys0.busy) / dt) * 100 * cores,
    softirq: ((sys1.softirq - sys0.softirq) / dt) * 100 * cores,
  };
}

/** Measures worker CPU and what the consumers forwarded over one window; `silent` counts consumers that sent nothing. */
export async function measureShape(pids: number[], consumers: ms.Consumer[], pumps: readonly RtpPump[], measureMs: number) {
  const before = await consumerPacketsEach(consumers);
  const tc0 = performance.now();
  const w = await window(pids, pumps, measureMs);
  const after = await consumerPacketsEach(consumers);
  const secs = (performance.now() - tc0) / 1000;
  const toConsumers = (after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)) / secs;
  const silent = after.filter((n, i) => n <= before[i]!).length;
  return { w, toConsumers, silent };
}
