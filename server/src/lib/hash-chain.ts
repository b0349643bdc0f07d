/**
 * Append-only hash chain (a poll's events, the audit trail). Each entry's hash is
 * SHA-256 over the RFC 8785 canonical JSON of {seq, prev, payload}, so any
 * edit, insertion, removal or reordering changes every later hash.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** What an entry records; `type` names the event. Must be plain JSON. */
export type ChainPayload = { type: string } & Record<string, unknown>;

export interface ChainEntry {
  seq: number;
  prevHash: string;
  hash: string;
  payload: ChainPayload;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** Canonical JSON (RFC 8785): the same value always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  const s = canonicalize(value);
  if (s === undefined) throw new TypeError('Value has no JSON form');
  return s;
}

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function entryHash(seq: number, prevHash: string, payload: ChainPayload): string {
  return sha256Hex(canonicalJson({ seq, prev: prevHash, payload }));
}

/** The entry that follows `head` (null: the chain is empty). */
export function nextEntry(head: ChainHead | null, payload: ChainPayload): ChainEntry {
  const seq = head === null ? 0 : head.seq + 1;
  const prevHash = head === null ? GENESIS_HASH : head.hash;
  return { seq, prevHash, hash: entryHash(seq, prevHash, payload), payload };
}

export interface ChainCheck {
  ok: boolean;
  length: number;
  /** Hash of the last entry as recomputed (GENESIS_HASH when empty). */
  head: string;
  problems: string[];
}

/** Recomputes every hash and link. Entries must be given in seq order. */
export function verifyChain(entries: readonly ChainEntry[]): ChainCheck {
  const { firstBroken: _first, ...check } = locateBreak(entries);
  return check;
}

/** verifyChain, plus the index of the first entry with a problem (null when ok) so callers can name it. */
export function locateBreak(entries: readonly ChainEntry[]): ChainCheck & { firstBroken: number | null } {
  const problems: string[] = [];
  let firstBroken: number | null = null;
  let prev = GENESIS_HASH;
  entries.forEach((e, i) => {
    const before = problems.length;
    if (e.seq !== i) problems.push(`entry ${i}: sequence number is ${e.seq}, expected ${i}`);
    if (e.prevHash !== prev) problems.push(`entry ${i}: previous-hash link is broken`);
    const recomputed = entryHash(e.seq, e.prevHash, e.payload);
    if (recomputed !== e.hash) problems.push(`entry ${i} (${e.payload.type}): content does not match its hash`);
    if (problems.length > before && firstBroken === null) firstBroken = i;
    // Continue from the stored hash so one edit is reported once, not at every later entry.
    prev = e.hash;
  });
  return { ok: problems.length === 0, length: entries.length, head: entries.length ? entries.at(-1)!.hash : GENESIS_HASH, problems, firstBroken };
}
