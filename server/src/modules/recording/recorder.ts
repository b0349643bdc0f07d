/**
 * The encoder process: Debian's ffmpeg reading the stage's RTP (one VP8
 * video stream and a few Opus streams, described by an SDP file) and writing
 * WebM segments of a few seconds each. Video is copied as it arrives (no
 * re-encoding, so a recording costs little CPU); the audio streams are mixed
 * (amix) and encoded once to Opus. Each finished segment is a complete,
 * playable file, so a crash of the server or the encoder loses at most the
 * segment being written. `segments.csv` lists the finished ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../lib/app-error.ts';

export const SEGMENT_LIST = 'segments.csv';
export const SEGMENT_PATTERN = /^seg-\d{5}\.webm$/;
export const VIDEO_PT = 96;
export const AUDIO_PT = 111;

export interface RecorderOptions {
  ffmpegBin: string;
  dir: string;
  segmentSeconds: number;
  /** Number of audio inputs mixed into the recording. */
  audioSlots: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** Two adjacent free UDP ports (RTP and RTCP), the lower one even, as ffmpeg's RTP input wants. */
async function freeUdpPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = createSocket('udp4');
    const port = await new Promise<number>((res, rej) => {
      a.once('error', rej);
      a.bind(0, '127.0.0.1', () => res(a.address().port));
    });
    const even = port % 2 === 0 ? port : port + 1;
    const ok = await Promise.all(
      [even, even + 1].filter((p) => p !== port).map(
        (p) =>
          new Promise<boolean>((res) => {
            const s = createSocket('udp4');
            s.once('error', () => res(false));
            s.bind(p, '127.0.0.1', () => s.close(() => res(true)));
          }),
      ),
    );
    await new Promise<void>((res) => a.close(() => res()));
    if (ok.every(Boolean) && even + 1 <= 65535) return even;
  }
  throw new AppError('MEDIA_ERROR', 503, 'No free local UDP ports for the recorder');
}

/** Starts of ffmpeg on fresh ports before the recorder gives up (see Recorder.start). */
const START_ATTEMPTS = 3;

/** Whether something (ffmpeg) now holds the local UDP port. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(true));
    s.bind(port, '127.0.0.1', () => s.close(() => res(false)));
  });
}

/** The SDP ffmpeg reads: one video and `audioSlots` audio streams on localhost. */
export function sdpFor(videoPort: number, audioPorts: number[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=diemcau recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  lines.push(`m=video ${videoPort} RTP/AVP ${VIDEO_PT}`, `a=rtpmap:${VIDEO_PT} VP8/90000`, 'a=recvonly');
  for (const p of audioPorts) lines.push(`m=audio ${p} RTP/AVP ${AUDIO_PT}`, `a=rtpmap:${AUDIO_PT} opus/48000/2`, 'a=recvonly');
  return `${lines.join('\n')}\n`;
}

export function ffmpegArgs(o: RecorderOptions, sdpPath: string): string[] {
  // Each mic is resampled onto the wall-clock timeline first (late or lost packets become silence,
  // a burst is trimmed), so the mix and the file keep real time whatever the network did.
  const inputs = Array.from({ length: o.audioSlots }, (_, i) => `[0:a:${i}]aresample=async=1000:first_pts=0[m${i}]`);
  const mixed = Array.from({ length: o.audioSlots }, (_, i) => `[m${i}]`).join('');
  const mix = `${inputs.join(';')};${mixed}amix=inputs=${o.audioSlots}:duration=longest:dropout_transition=0:normalize=0[a]`;
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1',
    '-protocol_whitelist', 'file,udp,rtp',
    // The video's size is known only from its first keyframe (asked for at start).
    '-analyzeduration', '8000000', '-probesize', '5000000', '-fflags', '+genpts',
    // Arrival time, not the senders' RTP clocks: a recording lasts as long as the meeting did.
    '-use_wallclock_as_timestamps', '1',
    '-reorder_queue_size', '64', '-buffer_size', '4194304',
    '-i', sdpPath,
    '-filter_complex', mix,
    '-map', '0:v:0', '-map', '[a]',
    '-c:v', 'copy', '-c:a', 'libopus', '-b:a', '64k', '-ac', '2',
    '-f', 'segment', '-segment_time', String(o.segmentSeconds), '-segment_format', 'webm',
    '-segment_list', join(o.dir, SEGMENT_LIST), '-segment_list_type', 'csv',
    // Each segment starts at 0, so the concat demuxer can join them end to end.
    '-reset_timestamps', '1',
    join(o.dir, 'seg-%05d.webm'),
  ];
}

/** Whether `p` settles within `ms` (the timer does not outlive it). */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
}

/** How long ffmpeg gets to finish on one signal before a second one interrupts its read. */
const NUDGE_MS = 1000;

/**
 * Asks an ffmpeg encoder to finish: it closes the segment it is writing and the segment list.
 * SIGINT rather than 'q' on stdin, which ffmpeg reads only between packets. One signal makes it stop
 * after the packet it is waiting for, but does not interrupt that wait (ffmpeg aborts a blocking read
 * only from the second signal on): while media flows that is at once, and when none comes (the
 * stage is silent, or the server that fed it crashed) the second signal ends the wait. Killed if it
 * has not exited `graceMs` later. `exited(ms)` resolves true once the process is gone, false after `ms`.
 */
export async function stopEncoder(signal: (sig: NodeJS.Signals) => void, exited: (withinMs: number) => Promise<boolean>, graceMs: number): Promise<void> {
  signal('SIGINT');
  if (await exited(NUDGE_MS)) return;
  // Two signals at most: from the fourth on, ffmpeg exits at once without closing the segment.
  signal('SIGINT');
  if (await exited(graceMs)) return;
  signal('SIGKILL');
  await exited(graceMs);
}

export interface RecorderPorts {
  video: number;
  audio: number[];
}

/** One running ffmpeg. */
export class Recorder {
  readonly pid: number;
  readonly ports: RecorderPorts;
  readonly #proc: ChildProcess;
  readonly #exited: Promise<number | null>;
  #stderr = '';
  #firstOutput: Promise<number>;

  private constructor(proc: ChildProcess, ports: RecorderPorts, o: RecorderOptions) {
    this.#proc = proc;
    this.pid = proc.pid!;
    this.ports = ports;
    this.#exited = new Promise((res) => proc.once('exit', (code) => res(code)));
    let resolveFirst: (at: number) => void;
    this.#firstOutput = new Promise((res) => (resolveFirst = res));
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const m = /^out_time_us=(\d+)/.exec(line);
        // Only the first report counts; resolving again is a no-op.
        if (m && Number(m[1]) > 0) resolveFirst(Number(m[1]) / 1000);
      }
    });
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the tail only: a long recording's warnings must not grow without bound.
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    proc.once('exit', (code, signal) => {
      if (code !== 0) o.log.warn({ code, signal, stderr: this.#stderr }, 'recorder ffmpeg exited');
    });
  }

  /**
   * Writes the SDP and starts ffmpeg; it listens on the returned ports. The ports are found free and
   * released before ffmpeg binds them, so another process may take one meanwhile (two test runs on one
   * machine did: "bind failed: Address already in use"). An ffmpeg that exits before holding its
   * ports is started again on fresh ones, up to START_ATTEMPTS times.
   */
  static async start(o: RecorderOptions): Promise<Recorder> {
    for (let attempt = 1; ; attempt++) {
      const { rec, holding } = await Recorder.#launch(o);
      if (holding) return rec;
      if (attempt >= START_ATTEMPTS || rec.#proc.exitCode === null) {
        rec.kill();
        throw new AppError('MEDIA_ERROR', 503, `The recorder did not start: ${rec.stderrTail.slice(-300)}`);
      }
      o.log.warn({ attempt, stderr: rec.stderrTail.slice(-300) }, 'recorder ffmpeg exited before holding its ports; starting it on other ports');
    }
  }

  /** One start: ports, SDP, ffmpeg, then whether it holds every port before it exits or 10 s pass. */
  static async #launch(o: RecorderOptions): Promise<{ rec: Recorder; holding: boolean }> {
    const video = await freeUdpPair();
    const audio: number[] = [];
    for (let i = 0; i < o.audioSlots; i++) audio.push(await freeUdpPair());
    const sdpPath = join(o.dir, 'stage.sdp');
    writeFileSync(sdpPath, sdpFor(video, audio));
    // Its own process group, so stopping the server's group (Ctrl-C) does not cut a segment short:
    // the service stops it with SIGINT and it finishes the segment it is writing.
    const proc = spawn(o.ffmpegBin, ffmpegArgs(o, sdpPath), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    await new Promise<void>((res, rej) => {
      proc.once('spawn', () => res());
      proc.once('error', (err) => rej(new AppError('MEDIA_ERROR', 503, `Cannot run ffmpeg (${o.ffmpegBin}): ${err.message}`)));
    });
    const rec = new Recorder(proc, { video, audio }, o);
    // Media sent before ffmpeg has bound its ports would be lost: wait until it holds every one.
    const end = Date.now() + 10_000;
    for (const port of [video, ...audio]) {
      while (!(await portTaken(port))) {
        if (proc.exitCode !== null || Date.now() > end) return { rec, holding: false };
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return { rec, holding: true };
  }

  get stderrTail(): string {
    return this.#stderr;
  }

  /** Resolves once ffmpeg writes media, with how many ms of it it already holds; rejects if it exits first. */
  started(timeoutMs: number): Promise<number> {
    return Promise.race([
      this.#firstOutput,
      this.#exited.then((code) => {
        throw new AppError('MEDIA_ERROR', 503, `ffmpeg stopped before recording (exit ${code}): ${this.#stderr.slice(-300)}`);
      }),
      new Promise<never>((_, rej) => setTimeout(() => rej(new AppError('MEDIA_ERROR', 503, 'The recorder received no media in time')), timeoutMs).unref()),
    ]);
  }

  /** Resolves when the process has exited. */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** Asks ffmpeg to finish (see stopEncoder), killing it after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return;
    await stopEncoder((sig) => this.#proc.kill(sig), (ms) => within(this.#exited, ms), graceMs);
  }

  /** Kills at once (only when the recording failed). */
  kill(): void {
    if (this.#proc.exitCode === null) this.#proc.kill('SIGKILL');
  }
}

