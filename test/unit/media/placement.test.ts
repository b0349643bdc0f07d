// The placement cost model, without a worker.
import { describe, expect, it } from 'vitest';
import { canTake, cpuBetween, DEFAULT_COST, modeledCpu, workerLoad } from '../../../server/src/modules/media/placement.ts';

describe('placement cost model', () => {
  it('models the 213-bridge shape on one worker under the default 70 % limit', () => {
    // 213 bridges x (camera + mic); 212 stage + 212 floor-audio consumers, the chair's 213 + 1.
    const oneRouter = modeledCpu({ producers: 426, consumers: 638, pipes: 0 }, DEFAULT_COST);
    expect(oneRouter).toBeLessThan(70);
    expect(canTake(oneRouter, 70, DEFAULT_COST)).toBe(true);
    // Piping every producer out costs the sender more than keeping them all local.
    expect(modeledCpu({ producers: 426, consumers: 400, pipes: 214 }, DEFAULT_COST)).toBeGreaterThan(modeledCpu({ producers: 426, consumers: 400, pipes: 0 }, DEFAULT_COST));
  });

  it('uses the higher of measured and modelled load', () => {
    expect(workerLoad(null, 12)).toBe(12);
    expect(workerLoad(40, 12)).toBe(40);
    expect(workerLoad(5, 12)).toBe(12);
  });

  it('refuses a transport that would reach the limit', () => {
    const m = { consumer: 1, producer: 1, pipe: 1 };
    expect(canTake(5, 8, m)).toBe(true);
    expect(canTake(6, 8, m)).toBe(false);
  });

  it('turns CPU-time samples into % of a core', () => {
    expect(cpuBetween({ cpuMs: 1000, at: 0 }, { cpuMs: 1500, at: 1000 })).toBe(50);
    expect(cpuBetween({ cpuMs: 1000, at: 5 }, { cpuMs: 1500, at: 5 })).toBeNull();
  });
});
