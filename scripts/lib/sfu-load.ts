/**
 * The SFU bench's load: synthetic bridges' RTP (simulcast camera + opus mic per
 * bridge) paced by one shared timer, and a UDP sink that costs nothing to read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ms } from '../../server/src/modules/media/mediasoup.ts';
import { opusParameters, vp8SimulcastParameters } from './rtp-mediasoup.ts';
import { RtpPump } from './rtp-pump.ts';
import type { StreamSpec } from './rtp-source.ts';

/** Camera simulcast layers, lowest first. */
export const LAYERS = [
  { label: '180p', bitrate: 150_000 },
  { label: '360p', bitrate: 500_000 },
];

export type Produce = (req: { transportId: string; kind: 'audio' | 'video'; rtpParameters: ms.RtpParameters }) => Promise<ms.Producer>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RtpLoad {
  readonly pumps: RtpPump[] = [];
  #ssrc = 1_000_000;
  #driver: NodeJS.Timeout | null = null;
  /**
   * Whether the pumps send. The shape legs hold their RTP until every transport and consumer
   * exists: setting up 638 consumers while 213 bridges stream made the workers' answers time
   * out on a busy machine, and both legs then start from the same state.
   */
  #flowing = true;

  /** New bridges' RTP waits for flow(). */
  hold(): void {
    this.#flowing = false;
  }

  /** Starts the held RTP and waits for every simulcast layer to be eligible (mediasoup wants 2 s of it) and the consumers to settle. */
  async flow(): Promise<void> {
    this.#flowing = true;
    await sleep(4500);
  }

  /** Starts the RTP of one bridge into send transport `t` and produces its camera and mic. */
  async publishOn(t: ms.PlainTransport, produce: Produce): Promise<{ video: ms.Producer; audio: ms.Producer }> {
    const layers = LAYERS.map((l) => ({ ssrc: this.#ssrc++, bitrate: l.bitrate }));
    const audioSsrc = this.#ssrc++;
    const streams: StreamSpec[] = [
      ...layers.map((l, i) => ({ kind: 'video' as const, ssrc: l.ssrc, bitrate: l.bitrate, fps: 30, layer: i })),
      { kind: 'audio', ssrc: audioSsrc, bitrate: 40_000, fps: 50, layer: 0, level: 40 },
    ];
    // Keyframes on request (PLI/FIR) plus one every 10 s, like a browser.
    const pump = new RtpPump({ ip: t.tuple.localIp, port: t.tuple.localPort }, streams, { keyframeEveryMs: 10_000 });
    await pump.bind();
    pump.startExternal();
    this.pumps.push(pump);
    // One timer for every pump: hundreds of 5 ms timers would cost more than the sending.
    this.#driver ??= setInterval(() => {
      if (!this.#flowing) return;
      const now = performance.now();
      for (const p of this.pumps) p.tick(now);
    }, 5);
    const video = await produce({ transportId: t.id, kind: 'video', rtpParameters: vp8SimulcastParameters(layers) });
    const audio = await produce({ transportId: t.id, kind: 'audio', rtpParameters: opusParameters(audioSsrc) });
    return { video, audio };
  }

  /** Closes every pump (the end of a leg). */
  closePumps(): void {
    for (const p of this.pumps.splice(0)) p.close();
  }

  stop(): void {
    this.closePumps();
    if (this.#driver) clearInterval(this.#driver);
  }
}

/** A UDP port whose socket is never read: its owner is a stopped child process (exits after `lifetimeMs`). */
export async function blackhole(lifetimeMs: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', `
    const s = require('node:dgram').createSocket('udp4');
    s.bind(0, '127.0.0.1', () => { s.setRecvBufferSize(1 << 20); process.stdout.write(String(s.address().port) + '\\n'); });
    setTimeout(() => process.exit(0), ${lifetimeMs});
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('blackhole exited')));
  });
  child.kill('SIGSTOP');
  return { port, child };
}
