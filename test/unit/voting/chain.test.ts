import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  GENESIS_HASH,
  canonicalJson,
  entryHash,
  nextEntry,
  verifyChain,
  type ChainEntry,
  type ChainPayload,
} from '../../../server/src/modules/voting/voting.chain.ts';

function build(payloads: ChainPayload[]): ChainEntry[] {
  const out: ChainEntry[] = [];
  for (const p of payloads) out.push(nextEntry(out.at(-1) ?? null, p));
  return out;
}
const payloads: ChainPayload[] = [
  { type: 'created', title: 'Biểu quyết thông qua Nghị quyết' },
  { type: 'opened', eligible: 3 },
  { type: 'ballot', voterId: 7, choices: ['yes'] },
  { type: 'ballot', voterId: 8, choices: ['no'] },
  { type: 'closed', at: '2025-01-01T08:00:00.000Z' },
];
const clone = (c: ChainEntry[]) => structuredClone(c);

describe('hash chain', () => {
  it('links each entry to the previous hash, starting from genesis', () => {
    const c = build(payloads);
    expect(c[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < c.length; i++) expect(c[i]!.prevHash).toBe(c[i - 1]!.hash);
    expect(c.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(verifyChain(c)).toEqual({ ok: true, length: 5, head: c[4]!.hash, problems: [] });
  });
  it('hashes SHA-256 of canonical JSON, independent of key order', () => {
    const e = nextEntry(null, { type: 'x', b: 1, a: 'á' });
    const expected = createHash('sha256').update('{"payload":{"a":"á","b":1,"type":"x"},"prev":"' + GENESIS_HASH + '","seq":0}').digest('hex');
    expect(e.hash).toBe(expected);
    expect(entryHash(0, GENESIS_HASH, { a: 'á', type: 'x', b: 1 })).toBe(expected);
    expect(canonicalJson({ z: [3, { y: 1, x: 2 }] })).toBe('{"z":[3,{"x":2,"y":1}]}');
  });
  it('an empty chain is valid with the genesis head', () => {
    expect(verifyChain([])).toMatchObject({ ok: true, head: GENESIS_HASH });
  });
  it('detects an edited payload', () => {
    const c = clone(build(payloads));
    (c[2]!.payload as unknown as { choices: string[] }).choices = ['no'];
    const r = verifyChain(c);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['entry 2 (ballot): content does not match its hash']);
  });
  it('detects an edited payload whose hash was recomputed, at the next link', () => {
    const c = clone(build(payloads));
    c[2]!.payload = { type: 'ballot', voterId: 7, choices: ['no'] };
    c[2]!.hash = entryHash(2, c[2]!.prevHash, c[2]!.payload);
    expect(verifyChain(c).problems).toEqual(['entry 3: previous-hash link is broken']);
  });
  it('a fully rewritten chain verifies alone but has a different head', () => {
    const honest = build(payloads);
    const forged = build(payloads.map((p) => (p.type === 'ballot' && p.voterId === 8 ? { ...p, choices: ['yes'] } : p)));
    expect(verifyChain(forged).ok).toBe(true);
    expect(verifyChain(forged).head).not.toBe(verifyChain(honest).head);
  });
  it('detects a removed entry', () => {
    const c = build(payloads);
    const r = verifyChain([...c.slice(0, 2), ...c.slice(3)]);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/sequence number is 3, expected 2/);
    expect(r.problems.join('\n')).toMatch(/entry 2: previous-hash link is broken/);
  });
  it('detects reordered entries', () => {
    const c = build(payloads);
    expect(verifyChain([c[0]!, c[1]!, c[3]!, c[2]!, c[4]!]).ok).toBe(false);
  });
  it('detects a truncated tail only against a known head', () => {
    const c = build(payloads);
    const cut = verifyChain(c.slice(0, 4));
    expect(cut.ok).toBe(true);
    expect(cut.head).not.toBe(c[4]!.hash);
  });
});
