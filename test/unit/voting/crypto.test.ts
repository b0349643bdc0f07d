// Secret-ballot cryptography (voting.crypto.ts). A receipt must never change for a ballot id: a voter
// who retries after a lost ack (even across an upgrade while the poll is open) must get the receipt
// they may already have noted, so it is checked against the first 60 bits of the HMAC read
// independently (BigInt), and against a fixed vector. Sizes and round trips of the boxes too.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ballotReceipt, ballotTag, boxLength, newBallotKey, openBallot, sealBallot, unwrapBallotKey, wrapBallotKey } from '../../../server/src/modules/voting/voting.crypto.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The receipt from its definition: HMAC(K, "receipt\0" + id), first 60 bits, Crockford base32 in groups of four. */
function referenceReceipt(key: Buffer, ballotId: string): string {
  let bits = createHmac('sha256', key).update(`receipt\0${ballotId}`).digest().readBigUInt64BE() >> 4n;
  let s = '';
  for (let i = 0; i < 12; i++, bits >>= 5n) s = CROCKFORD[Number(bits & 31n)]! + s;
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

describe('ballot receipts', () => {
  it('are the first 60 bits of the receipt HMAC, for any key and ballot id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (k, id) => {
        const key = Buffer.from(k);
        expect(ballotReceipt(key, id)).toBe(referenceReceipt(key, id));
      }),
      { numRuns: 2000 },
    );
  });

  it('match a fixed vector and the shape voters copy down', () => {
    const key = Buffer.alloc(32, 7);
    // Made by the first version of the receipt (a BigInt loop); it must never change.
    expect(ballotReceipt(key, '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a')).toBe('FXNR-H032-55GD');
    for (let i = 0; i < 50; i++) expect(ballotReceipt(newBallotKey(), `b${i}`)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    // All-ones and all-zero digits are reached: both halves' extreme values encode.
    const receipts = Array.from({ length: 4000 }, (_, i) => ballotReceipt(key, `id-${i}`));
    expect(new Set(receipts.flatMap((r) => [...r.replace(/-/g, '')])).size).toBe(32);
  });

  it('differ from the lookup tag, which stays the same for one id and key', () => {
    const key = newBallotKey();
    expect(ballotTag(key, 'a')).toBe(ballotTag(key, 'a'));
    expect(ballotTag(key, 'a')).not.toBe(ballotTag(key, 'b'));
    expect(ballotTag(newBallotKey(), 'a')).not.toBe(ballotTag(key, 'a'));
  });
});

describe('ballot boxes', () => {
  it('are all one size per poll whatever is marked, and open to what was sealed', () => {
    const key = newBallotKey();
    const options = ['dong-y', 'khong-dong-y', 'khong-y-kien'];
    const len = boxLength(options);
    const boxes = [[], ['dong-y'], options].map((choices) => sealBallot(key, 9, { choices, receipt: 'K7QM-2XD4-R9TB' }, len));
    expect(new Set(boxes.map((b) => b.length)).size).toBe(1);
    expect(openBallot(key, 9, boxes[2]!)).toEqual({ choices: options, receipt: 'K7QM-2XD4-R9TB' });
    // Bound to its poll: another poll's id (the AAD) does not open it.
    expect(() => openBallot(key, 10, boxes[1]!)).toThrow();
  });

  it('wrap the ballot key under the app secret, bound to the poll', () => {
    const key = newBallotKey();
    const wrapped = wrapBallotKey('s3cret', 4, key);
    expect(unwrapBallotKey('s3cret', 4, wrapped).equals(key)).toBe(true);
    expect(() => unwrapBallotKey('other', 4, wrapped)).toThrow();
    expect(() => unwrapBallotKey('s3cret', 5, wrapped)).toThrow();
  });
});
