/**
 * Link quality of one participant, with hysteresis so a single bad sample
 * does not flap the layout. Pure: the media service feeds it one sample per
 * interval (mediasoup scores 0..10 plus loss) and applies the result.
 *
 * good ──(low for enterWeakAfter)──▶ weak (layer cap 1)
 * weak ──(still low for stepDownAfter)──▶ weak (layer cap 0)
 * weak ──(very low for audioOnlyAfter)──▶ audio-only (video paused)
 * audio-only ──(ok for recoverAfter)──▶ weak (layer cap 0)
 * weak ──(high for recoverAfter)──▶ good (no cap)
 */
import { MAX_SPATIAL_LAYER } from './codecs.ts';

export type LinkState = 'good' | 'weak' | 'audio-only';

export interface LinkSample {
  /** 0..10, mediasoup's score (10 = perfect). */
  score: number;
  /** Fraction of packets lost, 0..1, if known. */
  loss?: number;
}

export interface LinkStatus {
  state: LinkState;
  /** Highest simulcast layer this participant's video consumers may use. */
  maxSpatialLayer: number;
  lowStreak: number;
  badStreak: number;
  highStreak: number;
  /** Last effective score, for display. */
  score: number;
}

/**
 * Tuned on a shaped network (test/netem): mediasoup's score hardly moves at
 * 2-10 % random loss, so loss decides; and a commune line that cannot carry
 * video must drop to audio within seconds (samples come every 2 s), while a
 * step up waits for a longer run of good samples (hysteresis).
 */
export const LINK_THRESHOLDS = {
  /** Below this a sample counts as low. */
  weakBelow: 7,
  /** Below this a sample counts as very low. */
  badBelow: 4,
  /** At or above this a sample counts as healthy. */
  goodAtLeast: 8,
  /** Loss above this caps the sample score at badBelow - 1 (10 % loss makes speech choppy once video competes)... */
  heavyLoss: 0.08,
  /**
   * ...and above this at weakBelow - 1: a 1 Mbit/s line losing 2 % (the "weak" profile) must leave the top
   * layer, which the simple fake camera's stream would otherwise still fit; a LAN loses far less.
   */
  someLoss: 0.015,
  enterWeakAfter: 2,
  stepDownAfter: 2,
  audioOnlyAfter: 3,
  recoverAfter: 4,
};
export type LinkThresholds = typeof LINK_THRESHOLDS;

export const initialLink = (): LinkStatus => ({
  state: 'good',
  maxSpatialLayer: MAX_SPATIAL_LAYER,
  lowStreak: 0,
  badStreak: 0,
  highStreak: 0,
  score: 10,
});

/** Score after folding in loss, which mediasoup only partly reflects in its score. */
export function effectiveScore(sample: LinkSample, t: LinkThresholds = LINK_THRESHOLDS): number {
  let q = Math.max(0, Math.min(10, sample.score));
  if (sample.loss !== undefined) {
    if (sample.loss > t.heavyLoss) q = Math.min(q, t.badBelow - 1);
    else if (sample.loss > t.someLoss) q = Math.min(q, t.weakBelow - 1);
  }
  return q;
}

export function nextLink(prev: LinkStatus, sample: LinkSample, t: LinkThresholds = LINK_THRESHOLDS): LinkStatus {
  const q = effectiveScore(sample, t);
  const low = q < t.weakBelow;
  const bad = q < t.badBelow;
  const high = q >= t.goodAtLeast;
  const s: LinkStatus = {
    ...prev,
    score: q,
    lowStreak: low ? prev.lowStreak + 1 : 0,
    badStreak: bad ? prev.badStreak + 1 : 0,
    highStreak: high ? prev.highStreak + 1 : 0,
  };
  const reset = { lowStreak: 0, badStreak: 0, highStreak: 0 };

  switch (prev.state) {
    case 'good':
      if (s.badStreak >= t.audioOnlyAfter) return { ...s, ...reset, state: 'audio-only', maxSpatialLayer: 0 };
      if (s.lowStreak >= t.enterWeakAfter) {
        return { ...s, lowStreak: 0, highStreak: 0, state: 'weak', maxSpatialLayer: Math.max(0, MAX_SPATIAL_LAYER - 1) };
      }
      return s;
    case 'weak':
      if (s.badStreak >= t.audioOnlyAfter) return { ...s, ...reset, state: 'audio-only', maxSpatialLayer: 0 };
      if (s.lowStreak >= t.stepDownAfter && s.maxSpatialLayer > 0) {
        return { ...s, lowStreak: 0, maxSpatialLayer: s.maxSpatialLayer - 1 };
      }
      if (s.highStreak >= t.recoverAfter) return { ...s, ...reset, state: 'good', maxSpatialLayer: MAX_SPATIAL_LAYER };
      return s;
    case 'audio-only': {
      // Audio keeps flowing, so its score still tells whether the link came back.
      const ok = q >= t.weakBelow;
      const okStreak = ok ? prev.highStreak + 1 : 0;
      if (okStreak >= t.recoverAfter) return { ...s, ...reset, state: 'weak', maxSpatialLayer: 0 };
      return { ...s, highStreak: okStreak };
    }
  }
}

/**
 * Most a bridge's browser may send (mediasoup tells it by REMB): on a weak
 * link its own camera upload must leave room for its voice and the signalling,
 * which share the same thin uplink. Good: the transport's default.
 */
export const UPLINK_CAP_BPS = { good: 3_000_000, layer1: 700_000, layer0: 250_000, audioOnly: 100_000 } as const;

export function uplinkCap(s: Pick<LinkStatus, 'state' | 'maxSpatialLayer'>): number {
  if (s.state === 'good') return UPLINK_CAP_BPS.good;
  if (s.state === 'audio-only') return UPLINK_CAP_BPS.audioOnly;
  return s.maxSpatialLayer >= 1 ? UPLINK_CAP_BPS.layer1 : UPLINK_CAP_BPS.layer0;
}
