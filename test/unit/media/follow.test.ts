import { describe, expect, it } from 'vitest';
import type { MediaSnapshot, ProducerInfo } from '@diemcau/shared';
import { applyMediaEvent, emptyMedia, gridProducers, wantedStreams } from '../../../web/src/media/follow.ts';

const cam = (bp: number): ProducerInfo => ({ producerId: `v${bp}`, kind: 'video', source: { type: 'bridge', bridgePointId: bp }, label: `ĐC ${bp}`, paused: false });
const mic = (bp: number, paused: boolean): ProducerInfo => ({ producerId: `a${bp}`, kind: 'audio', source: { type: 'bridge', bridgePointId: bp }, label: `ĐC ${bp}`, paused });

function media(n: number, stageBp: number | null, openMic: number | null): MediaSnapshot {
  const producers = Array.from({ length: n }, (_, i) => [cam(n - i), mic(n - i, n - i !== openMic)]).flat();
  return {
    ...emptyMedia(),
    producers,
    stage: { source: stageBp ? { type: 'bridge', bridgePointId: stageBp } : null, videoProducerId: stageBp ? `v${stageBp}` : null, audioProducerId: null },
  };
}

describe('wantedStreams', () => {
  it('a bridge receives the stage at the best layer and only open mics', () => {
    const w = wantedStreams(media(213, 5, 7));
    expect([...w.entries()].sort()).toEqual([
      ['a7', undefined],
      ['v5', undefined],
    ]);
  });

  it('the chair receives a page of bridge cameras at the lowest layer, the stage at the best', () => {
    const w = wantedStreams(media(213, 5, null), { grid: true, gridPageSize: 25 });
    expect(w.size).toBe(25);
    expect(w.get('v1')).toBe(0);
    expect(w.get('v25')).toBe(0);
    expect(w.has('v26')).toBe(false);
    expect(w.get('v5')).toBeUndefined();
    expect(w.has('v5')).toBe(true);

    const last = wantedStreams(media(213, null, null), { grid: true, gridPage: 8, gridPageSize: 25 });
    expect([...last.keys()]).toEqual(['v201', 'v202', 'v203', 'v204', 'v205', 'v206', 'v207', 'v208', 'v209', 'v210', 'v211', 'v212', 'v213']);
  });

  it('ignores a stage producer that is gone', () => {
    const m = media(3, 2, null);
    expect(wantedStreams({ ...m, producers: m.producers.filter((p) => p.producerId !== 'v2') }).size).toBe(0);
  });

  it('orders the grid by bridge point', () => {
    expect(gridProducers(media(3, null, null).producers).map((p) => p.producerId)).toEqual(['v1', 'v2', 'v3']);
  });
});

describe('applyMediaEvent', () => {
  it('follows producers, pauses and the stage', () => {
    let s = emptyMedia();
    s = applyMediaEvent(s, { event: 'producer:added', payload: mic(1, true) });
    s = applyMediaEvent(s, { event: 'producer:added', payload: cam(1) });
    expect(wantedStreams(s).size).toBe(0);
    s = applyMediaEvent(s, { event: 'producer:paused', payload: { producerId: 'a1', paused: false } });
    s = applyMediaEvent(s, { event: 'stage:changed', payload: { source: { type: 'bridge', bridgePointId: 1 }, videoProducerId: 'v1', audioProducerId: 'a1' } });
    expect([...wantedStreams(s).keys()].sort()).toEqual(['a1', 'v1']);
    s = applyMediaEvent(s, { event: 'producer:closed', payload: { producerId: 'v1', source: { type: 'bridge', bridgePointId: 1 }, kind: 'video' } });
    expect([...wantedStreams(s).keys()]).toEqual(['a1']);
    s = applyMediaEvent(s, { event: 'media:room-reset', payload: { reason: 'worker-died' } });
    expect(s.producers).toEqual([]);
    expect(s.stage.source).toEqual({ type: 'bridge', bridgePointId: 1 });
  });
});
