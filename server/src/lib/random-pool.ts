/**
 * Small random values from a pooled buffer. Each `crypto.randomBytes(8)` is
 * a call into OpenSSL costing tens of microseconds on this hardware; a vote
 * needs two (a row id, a nonce) and sealing a 2,000-ballot poll needs 4,000,
 * which was a third of the time the close took. One `randomFillSync` of 4 KB
 * serves hundreds of them: the same CSPRNG, the bytes wiped as they are handed out.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `n` (at most 64) bytes from the CSPRNG, through the pool. */
export function pooledRandomBytes(n: number): Buffer {
  if (n > 64) throw new RangeError('pooledRandomBytes serves at most 64 bytes; use crypto.randomBytes');
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}

/** A random positive integer below 2^53: a row id that says nothing about insertion order. */
export const randomRowId = (): number => Number(pooledRandomBytes(8).readBigUInt64BE() >> 11n) || 1;
