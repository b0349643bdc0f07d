/**
 * The hash chain's canonical JSON (lib/hash-chain.ts) must stay RFC 8785's form byte for byte:
 * every poll and audit chain already written was hashed over it, and an outside verifier
 * recomputes it. Checked against `canonicalize`, the reference implementation the chain used first.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../../../server/src/lib/hash-chain.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('writes what the reference implementation writes, for any JSON value with any Unicode text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 3000, seed: 8785 },
    );
  });

  it('writes the RFC 8785 appendix example as the RFC prints it', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units, not by code points or locale', () => {
    // U+1F600 is a surrogate pair (0xD83D…), so it sorts before U+FB01 (0xFB01) by code units.
    expect(canonicalJson({ '\uFB01': 1, '\u{1F600}': 2, é: 3, z: 4 })).toBe('{"z":4,"é":3,"\u{1F600}":2,"\uFB01":1}');
  });

  it('skips undefined members, writes undefined array items as null, and uses toJSON', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, new Date(0)] })).toBe('{"a":[null,"1970-01-01T00:00:00.000Z"]}');
  });

  it('refuses what has no JSON form instead of writing null', () => {
    for (const bad of [NaN, Infinity, { a: -Infinity }, [1n], undefined]) expect(() => canonicalJson(bad)).toThrow();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow();
  });

  it('refuses a lone surrogate (RFC 8785 3.2.2.2), and only that', () => {
    for (const bad of ['\uD800', 'a\uDC00b', ['\uDBFF'], { k: 'x\uD83D' }, { '\uDE00': 1 }]) expect(() => canonicalJson(bad)).toThrow(/surrogate/);
    // A literal backslash followed by "ud800" is text, and a valid pair stays as it is.
    expect(canonicalJson('\\ud800')).toBe('"\\\\ud800"');
    expect(canonicalJson('\\\\ud800')).toBe('"\\\\\\\\ud800"');
    expect(canonicalJson('\u{1F600}')).toBe('"\u{1F600}"');
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (v) => {
        let reference: string | null;
        try {
          reference = canonicalize(v) ?? null;
        } catch {
          reference = null;
        }
        if (reference === null) expect(() => canonicalJson(v)).toThrow();
        else expect(canonicalJson(v)).toBe(reference);
      }),
      { numRuns: 3000, seed: 3222 },
    );
  });
});
