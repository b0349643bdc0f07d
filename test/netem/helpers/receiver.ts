/**
 * What a bridge actually gets, read from its own browser: WebRTC receiver
 * stats (decoded frames, frame size, audio level, concealment) and when
 * broadcasts showed on its screen, against when the server emitted them.
 *
 * Browser and server run on one machine and namespaces do not virtualise
 * the clock, so the page's Date.now() and the server's are the same clock.
 */
import type { Page } from 'playwright-core';
import type { App } from '../../../server/src/app.ts';
import type { InboundStats } from '../../../web/src/media/conference-media.ts';
// Brings in the page's `window.diemcauMediaStats` declaration.
import type {} from '../../../web/src/live/use-media.ts';

export const inbound = (page: Page): Promise<InboundStats[]> => page.evaluate(() => window.diemcauMediaStats?.() ?? Promise.resolve([]));

export interface RxSummary {
  /** Frames decoded per second of the video stream over the window. */
  fps: number;
  /** Width of the last decoded frame (the simulcast layer the receiver got). */
  frameWidth: number;
  /** Share of audio samples the receiver had to conceal over the window. */
  concealShare: number;
  /** Longest run of mostly concealed audio, ms (a gap a listener hears). */
  longestGapMs: number;
  /** Highest audio level seen (0..1); above ~0.001 is not silence. */
  audioLevel: number;
}

/**
 * Samples the receiver every `stepMs` for `windowMs` (a measurement window,
 * not a wait for a condition) and summarises one video and one audio stream.
 */
export async function measure(page: Page, ids: { video?: string | null; audio?: string | null }, windowMs: number, stepMs = 500): Promise<RxSummary> {
  const pick = (all: InboundStats[], id?: string | null) => all.find((s) => s.producerId === id);
  const samples: { at: number; stats: InboundStats[] }[] = [];
  const end = Date.now() + windowMs;
  do {
    samples.push({ at: Date.now(), stats: await inbound(page) });
    await new Promise((r) => setTimeout(r, stepMs));
  } while (Date.now() < end);
  samples.push({ at: Date.now(), stats: await inbound(page) });
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const v0 = pick(first.stats, ids.video);
  const v1 = pick(last.stats, ids.video);
  const secs = (last.at - first.at) / 1000;
  let longest = 0;
  let run = 0;
  let audioLevel = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = pick(samples[i - 1]!.stats, ids.audio);
    const b = pick(samples[i]!.stats, ids.audio);
    if (!ids.audio) break;
    audioLevel = Math.max(audioLevel, b?.audioLevel ?? 0);
    const got = (b?.totalSamplesReceived ?? 0) - (a?.totalSamplesReceived ?? 0);
    const hid = (b?.concealedSamples ?? 0) - (a?.concealedSamples ?? 0);
    // Nothing played at all, or mostly made up: the listener hears a gap.
    const gap = got <= 0 || hid / got > 0.5;
    run = gap ? run + (samples[i]!.at - samples[i - 1]!.at) : 0;
    longest = Math.max(longest, run);
  }
  const a0 = pick(first.stats, ids.audio);
  const a1 = pick(last.stats, ids.audio);
  const got = (a1?.totalSamplesReceived ?? 0) - (a0?.totalSamplesReceived ?? 0);
  return {
    fps: v0 && v1 ? (v1.framesDecoded - v0.framesDecoded) / secs : 0,
    frameWidth: v1?.frameWidth ?? 0,
    concealShare: got > 0 ? ((a1?.concealedSamples ?? 0) - (a0?.concealedSamples ?? 0)) / got : 1,
    longestGapMs: ids.audio ? longest : 0,
    audioLevel,
  };
}

/** Records, in the page, when the current agenda item and the poll shown on screen change. */
export async function watchScreen(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { netemSeen?: { what: string; value: string | null; at: number }[] };
    if (w.netemSeen) return;
    const seen: { what: string; value: string | null; at: number }[] = [];
    w.netemSeen = seen;
    const last: Record<string, string | null> = {};
    const check = () => {
      const at = Date.now();
      const poll = document.querySelector('[data-poll-status]');
      const now: Record<string, string | null> = {
        item: document.querySelector('[data-current-item]')?.getAttribute('data-current-item') ?? null,
        poll: poll ? `${poll.getAttribute('data-poll')}:${poll.getAttribute('data-poll-status')}` : null,
      };
      for (const [k, v] of Object.entries(now)) {
        if (last[k] === v) continue;
        last[k] = v;
        seen.push({ what: k, value: v, at });
      }
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-current-item', 'data-poll-status', 'data-poll'] });
    check();
  });
}

/** When the page first showed `what` = `value` at or after `since` (null: not yet). */
export async function shownAt(page: Page, what: 'item' | 'poll', value: string, since: number): Promise<number | null> {
  return page.evaluate(
    ([w, v, t]) => (window as unknown as { netemSeen: { what: string; value: string | null; at: number }[] }).netemSeen.find((e) => e.what === w && e.value === v && e.at >= t)?.at ?? null,
    [what, value, since] as const,
  );
}

/**
 * Server-side emit times of broadcasts, taken where Socket.IO hands them to its adapter, and
 * the times users' sockets (re)connect.
 */
export class EmitClock {
  readonly #log: { event: string; at: number }[] = [];
  readonly #connects: { userId: number; at: number }[] = [];

  constructor(app: App) {
    app.realtime.io.on('connection', (s) => {
      const userId = (s.data as { user?: { id?: number } }).user?.id;
      if (typeof userId === 'number') this.#connects.push({ userId, at: Date.now() });
    });
    const adapter = app.realtime.io.of('/').adapter;
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet, opts) => {
      const ev = (packet as { data?: unknown[] }).data?.[0];
      if (typeof ev === 'string') this.#log.push({ event: ev, at: Date.now() });
      return broadcast(packet, opts);
    };
  }

  /** The first emit of `event` at or after `since`. */
  first(event: string, since: number): number | null {
    return this.#log.find((e) => e.event === event && e.at >= since)?.at ?? null;
  }

  /** When user `userId`'s first socket connected at or after `since` (null: not yet). */
  connected(userId: number, since: number): number | null {
    return this.#connects.find((e) => e.userId === userId && e.at >= since)?.at ?? null;
  }
}
