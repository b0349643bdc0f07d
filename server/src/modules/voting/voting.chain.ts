/**
 * A poll's events form an append-only hash chain (see lib/hash-chain.ts, shared with the audit
 * trail). Secret ballots enter the chain without identity (see voting.service.ts).
 */
export { GENESIS_HASH, canonicalJson, sha256Hex, entryHash, nextEntry, verifyChain } from '../../lib/hash-chain.ts';
export type { ChainPayload, ChainEntry, ChainHead, ChainCheck } from '../../lib/hash-chain.ts';
