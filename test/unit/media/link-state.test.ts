import { describe, expect, it } from 'vitest';
import { effectiveScore, initialLink, LINK_THRESHOLDS, nextLink, UPLINK_CAP_BPS, uplinkCap, type LinkSample, type LinkStatus } from '../../../server/src/modules/media/link-state.ts';

const feed = (s: LinkStatus, samples: LinkSample[]) => samples.reduce((acc, x) => nextLink(acc, x), s);
const times = (n: number, score: number, loss?: number): LinkSample[] => Array.from({ length: n }, () => ({ score, ...(loss !== undefined ? { loss } : {}) }));

describe('link state', () => {
  it('ignores a single bad sample (hysteresis)', () => {
    const s = feed(initialLink(), [{ score: 2 }, { score: 10 }, { score: 3 }, { score: 10 }]);
    expect(s.state).toBe('good');
    expect(s.maxSpatialLayer).toBe(2);
  });

  it('goes weak after consecutive low samples and steps down one layer', () => {
    const s = feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 6));
    expect(s).toMatchObject({ state: 'weak', maxSpatialLayer: 1 });
  });

  it('steps down to the lowest layer while it stays low', () => {
    let s = feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 6));
    s = feed(s, times(LINK_THRESHOLDS.stepDownAfter, 6));
    expect(s).toMatchObject({ state: 'weak', maxSpatialLayer: 0 });
    s = feed(s, times(LINK_THRESHOLDS.stepDownAfter, 6));
    expect(s).toMatchObject({ state: 'weak', maxSpatialLayer: 0 });
  });

  it('goes audio-only when the score stays very low, and comes back through weak to good', () => {
    let s = feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 2));
    expect(s.state).toBe('weak');
    s = feed(s, times(LINK_THRESHOLDS.audioOnlyAfter, 2));
    expect(s).toMatchObject({ state: 'audio-only', maxSpatialLayer: 0 });
    // Middling samples do not bring video back.
    s = feed(s, times(10, 6));
    expect(s.state).toBe('audio-only');
    // An interrupted recovery starts counting again.
    s = feed(s, [...times(LINK_THRESHOLDS.recoverAfter - 1, 9), { score: 3 }, ...times(LINK_THRESHOLDS.recoverAfter - 1, 9)]);
    expect(s.state).toBe('audio-only');
    s = feed(s, times(1, 9));
    expect(s).toMatchObject({ state: 'weak', maxSpatialLayer: 0 });
    s = feed(s, times(LINK_THRESHOLDS.recoverAfter, 9));
    expect(s).toMatchObject({ state: 'good', maxSpatialLayer: 2 });
  });

  it('folds heavy loss into the score', () => {
    expect(effectiveScore({ score: 10, loss: 0.2 })).toBeLessThan(LINK_THRESHOLDS.badBelow);
    expect(effectiveScore({ score: 10, loss: 0.08 })).toBeLessThan(LINK_THRESHOLDS.weakBelow);
    expect(effectiveScore({ score: 10, loss: 0.01 })).toBe(10);
    expect(effectiveScore({ score: 42 })).toBe(10);
    expect(feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 10, 0.3)).state).toBe('weak');
  });

  // Measured on a shaped network (test/netem): mediasoup's score stays high at 5-10 % random loss.
  it('a weak line (2 %) and a poor one (5 % loss) go weak and a very poor one (10 %) audio-only, within a few samples', () => {
    const poor = feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 9, 0.05));
    expect(poor.state).toBe('weak');
    let veryPoor = initialLink();
    let n = 0;
    while (veryPoor.state !== 'audio-only' && n < 10) {
      veryPoor = nextLink(veryPoor, { score: 9, loss: 0.1 });
      n++;
    }
    expect(veryPoor.state).toBe('audio-only');
    // Samples come every 2 s: audio within about six seconds.
    expect(n).toBeLessThanOrEqual(3);
    // 2 % (the weak profile) leaves the top layer; a LAN's stray 1 % does not.
    expect(feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 9, 0.02))).toMatchObject({ state: 'weak', maxSpatialLayer: 1 });
    expect(feed(initialLink(), times(10, 9, 0.01)).state).toBe('good');
  });

  it('steps up more slowly than it steps down (hysteresis)', () => {
    expect(LINK_THRESHOLDS.recoverAfter).toBeGreaterThan(LINK_THRESHOLDS.enterWeakAfter);
    let s = feed(initialLink(), times(LINK_THRESHOLDS.audioOnlyAfter, 2));
    expect(s.state).toBe('audio-only');
    s = feed(s, times(LINK_THRESHOLDS.recoverAfter - 1, 10, 0));
    expect(s.state).toBe('audio-only');
  });

  it("caps a weak bridge's own upload by its state", () => {
    expect(uplinkCap(initialLink())).toBe(UPLINK_CAP_BPS.good);
    const weak = feed(initialLink(), times(LINK_THRESHOLDS.enterWeakAfter, 6));
    expect(uplinkCap(weak)).toBe(UPLINK_CAP_BPS.layer1);
    expect(uplinkCap({ state: 'weak', maxSpatialLayer: 0 })).toBe(UPLINK_CAP_BPS.layer0);
    expect(uplinkCap({ state: 'audio-only', maxSpatialLayer: 0 })).toBe(UPLINK_CAP_BPS.audioOnly);
    expect(UPLINK_CAP_BPS.audioOnly).toBeLessThan(UPLINK_CAP_BPS.layer0);
  });
});
