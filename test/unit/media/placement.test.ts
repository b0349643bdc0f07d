// The placement cost model, without a worker.
import { describe, expect, it } from 'vitest';
import { canStay, canTake, cpuBetween, DEFAULT_COST, modeledCpu, placeTransport, workerLoad, type WorkerCounts } from '../../../server/src/modules/media/placement.ts';

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

  it('keeps the 213-bridge shape on one router at the defaults, transport by transport', () => {
    // Every bridge opens a send transport (camera + mic), then a receive transport (stage camera +
    // floor mic); the chair receives every camera plus the floor mic. No transport may spread.
    const c: WorkerCounts = { producers: 0, consumers: 0, pipes: 0 };
    const place = () => placeTransport([{ load: modeledCpu(c, DEFAULT_COST), underBudget: c.consumers < 2000 }], 0, 70, DEFAULT_COST);
    for (let i = 0; i < 213; i++) {
      expect(place()).toEqual({ router: 0 });
      c.producers += 2;
    }
    for (let i = 0; i < 213; i++) {
      expect(place()).toEqual({ router: 0 });
      c.consumers += 2;
    }
    expect(place()).toEqual({ router: 0 });
    // The chair's 213 cameras + floor mic, less the two consumers the stage and floor bridges skip (themselves).
    c.consumers += 214 - 2;
    expect(c.consumers).toBe(638);
    expect(modeledCpu(c, DEFAULT_COST)).toBeLessThan(70);
  });

  it('stays while the worker keeps room for the pipes a spread would cost it', () => {
    const m = { consumer: 1, producer: 1, pipe: 1 };
    // 2 for the transport's consumers, 2 for the stage and speaker pipes a spread would need.
    expect(canStay(5, 10, m)).toBe(true);
    expect(canStay(6, 10, m)).toBe(false);
    expect(placeTransport([{ load: 5, underBudget: true }], 0, 10, m)).toEqual({ router: 0 });
    expect(placeTransport([{ load: 6, underBudget: true }], 0, 10, m)).toEqual({ spread: true });
  });

  it('uses the first router that can stay, so a room keeps to as few routers as it can', () => {
    const m = { consumer: 1, producer: 1, pipe: 1 };
    expect(placeTransport([{ load: 9, underBudget: true }, { load: 3, underBudget: true }], 0, 10, m)).toEqual({ router: 1 });
    expect(placeTransport([{ load: 2, underBudget: true }, { load: 1, underBudget: true }], 0, 10, m)).toEqual({ router: 0 });
    // A router at the consumer ceiling is skipped whatever its load.
    expect(placeTransport([{ load: 0, underBudget: false }, { load: 3, underBudget: true }], null, 10, m)).toEqual({ router: 1 });
  });

  it('does not spread onto a worker without room: the pipes would only add load', () => {
    const m = { consumer: 1, producer: 1, pipe: 1 };
    expect(placeTransport([{ load: 9, underBudget: true }, { load: 8, underBudget: true }], 9, 10, m)).toEqual({ router: 1 });
    // The room uses every worker: crowd its least-loaded router.
    expect(placeTransport([{ load: 9, underBudget: true }, { load: 12, underBudget: true }], null, 10, m)).toEqual({ router: 0 });
    // Every router at the ceiling: a new router even so.
    expect(placeTransport([{ load: 1, underBudget: false }], null, 10, m)).toEqual({ spread: true });
  });
});
