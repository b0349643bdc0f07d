/**
 * Shaped links for the weak-bridge tests: one network namespace per bridge,
 * joined to the host by a veth pair on its own /30, with
 * - `tbf` on both ends of the veth (the namespace end shapes the bridge's uplink,
 *   the host end its downlink: a commune line is thin both ways), and
 * - an nftables table inside the namespace dropping a random share of packets
 *   each way (`numgen random mod 100 < N drop`); `netem` is not in this kernel.
 *
 * Names carry the pid, so two clones of the suite running at once do not collide,
 * and namespaces left by a killed run (its pid gone) are removed at the next start.
 * Everything made here is removed in afterAll and again on process exit.
 */
import { execFileSync } from 'node:child_process';
import { ensureDebianPackages } from '../../../scripts/lib/ensure-debian.mjs';
import { alive } from '../../helpers/process.ts';

export interface Profile {
  name: string;
  /** Rate each way, kbit/s; null: not shaped. */
  rateKbit: number | null;
  /** Share of packets dropped each way, percent. */
  lossPct: number;
}

export const PROFILES = {
  good: { name: 'good', rateKbit: null, lossPct: 0 },
  weak: { name: 'weak', rateKbit: 1000, lossPct: 2 },
  poor: { name: 'poor', rateKbit: 300, lossPct: 5 },
  veryPoor: { name: 'very poor', rateKbit: 100, lossPct: 10 },
} as const satisfies Record<string, Profile>;

const PREFIX = 'dcnetem';
/** 10.213.0.0/16 carved into /30s: private, unused on these machines (checked against `ip addr` below). */
const POOL = [10, 213] as const;
const SUBNETS = 16384;

const run = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
const tryRun = (cmd: string, args: string[]): boolean => {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
};

/**
 * Fails loudly unless this process can make namespaces (root, `ip netns`, tc, nft).
 * CI runs as root; a silently skipped suite would hide a broken harness.
 */
export function assertNetnsAvailable(): void {
  if (process.env.NETEM_SKIP === '1') return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('The shaped-network tests need root (ip netns, tc, nft). CI runs as root; run them as root, or set NETEM_SKIP=1 to leave them out knowingly.');
  }
  if (!ensureDebianPackages({ nftables: '/usr/sbin/nft', iproute2: '/usr/sbin/tc' }, 'netem')) {
    throw new Error('Debian packages nftables and iproute2 are needed for the shaped-network tests and could not be installed');
  }
  const probe = `${PREFIX}-probe-${process.pid}`;
  try {
    run('ip', ['netns', 'add', probe]);
  } catch (e) {
    throw new Error(`ip netns does not work here: ${(e as Error).message}`);
  } finally {
    tryRun('ip', ['netns', 'del', probe]);
  }
}

/** Removes namespaces (and their veths) left behind by runs whose process is gone. */
export function removeStale(): void {
  const names = run('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '');
  for (const name of names) {
    // A probe left by a run killed inside assertNetnsAvailable has no veth, only its name.
    const probe = new RegExp(`^${PREFIX}-probe-(\\d+)$`).exec(name);
    if (probe && !alive(Number(probe[1]), { epermAlive: true })) tryRun('ip', ['netns', 'del', name]);
    const m = new RegExp(`^${PREFIX}-(\\d+)-(\\d+)$`).exec(name);
    if (!m || alive(Number(m[1]), { epermAlive: true })) continue;
    tryRun('ip', ['link', 'del', `dnh${m[1]}x${m[2]}`]);
    tryRun('ip', ['netns', 'del', name]);
  }
}

/** The /30 subnets already in use on the host, as their first address. */
function usedSubnets(): Set<string> {
  const used = new Set<string>();
  for (const m of run('ip', ['-o', '-4', 'addr', 'show']).matchAll(/inet (\d+)\.(\d+)\.(\d+)\.(\d+)\//g)) {
    used.add(`${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) & ~3}`);
  }
  return used;
}

export class ShapedLink {
  readonly ns: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly hostIp: string;
  readonly nsIp: string;
  #profile: Profile = PROFILES.good;
  /** Whether the profile shapes only the bridge's uplink (its sending side), not what it receives. */
  #uplinkOnly = false;
  #down = false;
  #closed = false;

  private constructor(index: number, subnet: string) {
    this.ns = `${PREFIX}-${process.pid}-${index}`;
    // Interface names are at most 15 characters.
    this.hostIf = `dnh${process.pid}x${index}`;
    this.nsIf = `dnn${process.pid}x${index}`;
    const [a, b, c, d] = subnet.split('.').map(Number) as [number, number, number, number];
    this.hostIp = `${a}.${b}.${c}.${d + 1}`;
    this.nsIp = `${a}.${b}.${c}.${d + 2}`;
  }

  /** Makes namespace number `index` of this run, on a /30 derived from the pid that nothing else uses. */
  static create(index: number): ShapedLink {
    const used = usedSubnets();
    let link: ShapedLink | null = null;
    for (let k = 0; k < SUBNETS && !link; k++) {
      const i = ((process.pid * 8 + index) * 7 + k) % SUBNETS;
      const subnet = `${POOL[0]}.${POOL[1]}.${(i * 4) >> 8}.${(i * 4) & 255}`;
      if (!used.has(subnet)) link = new ShapedLink(index, subnet);
    }
    if (!link) throw new Error('no free /30 in 10.213.0.0/16');
    live.add(link);
    const { ns, hostIf, nsIf } = link;
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run('ip', ['link', 'set', nsIf, 'netns', ns]);
    run('ip', ['addr', 'add', `${link.hostIp}/30`, 'dev', hostIf]);
    run('ip', ['link', 'set', hostIf, 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `${link.nsIp}/30`, 'dev', nsIf]);
    run('ip', ['-n', ns, 'link', 'set', nsIf, 'up']);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', ns, 'route', 'add', 'default', 'via', link.hostIp]);
    link.#applyNft();
    return link;
  }

  get profile(): Profile {
    return this.#profile;
  }

  /**
   * Shapes both directions to `p` (rate and random loss), or with `uplinkOnly` only what the bridge
   * sends (tbf on the namespace end, loss on the namespace's output) while it receives unshaped.
   */
  setProfile(p: Profile, { uplinkOnly = false } = {}): void {
    this.#profile = p;
    this.#uplinkOnly = uplinkOnly;
    this.#applyTbf();
    this.#applyNft();
  }

  /** Drops everything both ways (true) or restores the profile (false): the line is cut, not unplugged. */
  setOutage(down: boolean): void {
    this.#down = down;
    this.#applyNft();
  }

  #applyTbf(): void {
    const rate = this.#profile.rateKbit;
    for (const [ns, dev] of [[this.ns, this.nsIf], [null, this.hostIf]] as const) {
      const where = ns ? ['-n', ns] : [];
      tryRun('tc', [...where, 'qdisc', 'del', 'dev', dev, 'root']);
      if (rate === null || (this.#uplinkOnly && !ns)) continue;
      // A burst of a few full packets, and a queue holding ~300 ms: what a thin DSL/3G line buffers.
      const burst = Math.max(4 * 1514, Math.round((rate * 1000) / 8 / 50));
      run('tc', [...where, 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${rate}kbit`, 'burst', String(burst), 'latency', '300ms']);
    }
  }

  #applyNft(): void {
    const verdict = this.#down ? 'drop' : this.#profile.lossPct > 0 ? `numgen random mod 100 < ${this.#profile.lossPct} drop` : '';
    // Received packets are dropped only when the downlink is shaped too (an outage cuts both ways).
    const rule = (dir: 'iifname' | 'oifname') => (verdict && (dir === 'oifname' || this.#down || !this.#uplinkOnly) ? ` ${dir} "${this.nsIf}" ${verdict};` : '');
    const table = [
      'table inet netem {',
      `  chain rx { type filter hook input priority 0;${rule('iifname')} }`,
      `  chain tx { type filter hook output priority 0;${rule('oifname')} }`,
      '}',
    ].join('\n');
    // The namespace holds only this table, so replacing the whole ruleset is safe.
    run('ip', ['netns', 'exec', this.ns, 'nft', '-f', '-'], `flush ruleset\n${table}\n`);
  }

  /** Packets tbf dropped at both ends (queue overflow), for the report. */
  tbfDrops(): number {
    let n = 0;
    for (const [ns, dev] of [[this.ns, this.nsIf], [null, this.hostIf]] as const) {
      const out = run('tc', [...(ns ? ['-n', ns] : []), '-s', 'qdisc', 'show', 'dev', dev]);
      n += Number(/dropped (\d+)/.exec(out)?.[1] ?? 0);
    }
    return n;
  }

  /** Removes the veth (both ends) and the namespace. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    live.delete(this);
    tryRun('ip', ['link', 'del', this.hostIf]);
    tryRun('ip', ['netns', 'del', this.ns]);
  }
}

const live = new Set<ShapedLink>();

/** Removes every namespace this process made; safe to call more than once. */
export function closeAll(): void {
  for (const l of [...live]) l.close();
}

// A failed or interrupted run must not leave namespaces behind.
process.once('exit', closeAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    closeAll();
    process.kill(process.pid, sig);
  });
}
