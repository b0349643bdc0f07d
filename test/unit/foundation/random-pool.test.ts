import { describe, expect, it } from 'vitest';
import { pooledRandomBytes, randomRowId } from '../../../server/src/lib/random-pool.ts';

describe('pooled random bytes', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    // 4096 / 16 = 256 per pool: this crosses several refills.
    for (let i = 0; i < 2000; i++) {
      const b = pooledRandomBytes(16);
      expect(b.length).toBe(16);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('returns copies the pool cannot change later', () => {
    const a = pooledRandomBytes(12);
    const copy = Buffer.from(a);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(12);
    expect(a.equals(copy)).toBe(true);
  });

  it('gives row ids that are positive safe integers, spread over the range', () => {
    const ids = Array.from({ length: 1000 }, randomRowId);
    expect(ids.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(1000);
    // Not clustered: about half fall above 2^52.
    const high = ids.filter((id) => id > 2 ** 52).length;
    expect(high).toBeGreaterThan(400);
    expect(high).toBeLessThan(600);
  });

  it('refuses sizes it was not meant for', () => {
    expect(() => pooledRandomBytes(65)).toThrow(RangeError);
  });
});
