/**
 * The audit hash chain (audit.chain.ts) on the async data layer (db/database.ts). Appends take the
 * caller's transaction and a lock on the chain, so two nodes on one PostgreSQL server never read
 * the same head; the UNIQUE seq index remains the last line of defence. The synchronous versions in
 * audit.chain.ts go once every caller is converted.
 */
import { and, asc, desc, eq, isNotNull, isNull, min, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AuditVerification } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { jsonField, lockForTx } from '../../db/dialect.ts';
import { nextEntry } from '../../lib/hash-chain.ts';
import type { AuditEvent } from '../../plugins/audit.ts';
import { payloadOf, recordOf, verificationOf } from './audit.chain.ts';

/** The chain's lock: appends and the legacy seal take it, so no two writers read the same head. */
const CHAIN_LOCK = 'audit-chain';

async function head({ q, t }: Store): Promise<{ seq: number; hash: string } | null> {
  const { auditLog } = t;
  const [h] = await q.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).where(isNotNull(auditLog.seq)).orderBy(desc(auditLog.seq)).limit(1);
  return h ? { seq: h.seq!, hash: h.hash ?? '' } : null;
}

/** The hash at the head of the chain (what a record such as final minutes cites), null while empty. */
export async function auditHeadHash(s: Store): Promise<string | null> {
  return (await head(s))?.hash ?? null;
}

/** The first entry of `action` whose details carry `value` under `key` (e.g. the minutes' pdfSha256). */
export async function findAuditByDetail(s: Store, action: string, key: string, value: string) {
  const { auditLog } = s.t;
  const [row] = await s.q
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(jsonField(s, auditLog.details, [key]), value)))
    .limit(1);
  return row;
}

/**
 * Holds the chain until the caller's transaction ends: appendAudit takes it itself; a caller that
 * cites the head it is about to append after (final minutes) takes it before reading the head.
 */
export const lockAuditChain = (s: Store): Promise<void> => lockForTx(s, CHAIN_LOCK);

/** Appends one entry inside the caller's transaction (`database.tx`), atomically with its change. */
export async function appendAudit(s: Store, e: AuditEvent, at = new Date().toISOString()): Promise<void> {
  await lockAuditChain(s);
  const rec = recordOf(e, at);
  const entry = nextEntry(await head(s), payloadOf(rec));
  await s.q.insert(s.t.auditLog).values({ ...rec, seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash });
}

/**
 * Chains rows written before the chain existed (an upgraded database), in id order, inside the
 * caller's transaction. Only when every unchained row is older than every chained one: an unchained
 * row among chained ones was inserted around the chain, and verification must keep reporting it.
 */
export async function sealLegacyAudit(s: Store): Promise<number> {
  await lockAuditChain(s);
  const { q, t } = s;
  const { auditLog } = t;
  // Runs at every start: the common case (nothing unchained) is one indexed lookup.
  const legacy = await q.select({ id: auditLog.id }).from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id));
  if (!legacy.length) return 0;
  const [first] = await q.select({ id: min(auditLog.id) }).from(auditLog).where(isNotNull(auditLog.seq));
  if (first?.id != null && legacy.at(-1)!.id > first.id) return 0;
  // Renumber: the chained rows follow the legacy ones, so the whole chain is rebuilt in id order.
  const all = await q.select().from(auditLog).orderBy(asc(auditLog.id));
  // Negative first, so no renumbered row meets a seq still held by another (UNIQUE seq).
  await q.update(auditLog).set({ seq: sql`-${auditLog.id}` });
  let h: { seq: number; hash: string } | null = null;
  for (const r of all) {
    const entry = nextEntry(h, payloadOf(r));
    await q.update(auditLog).set({ seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash }).where(eq(auditLog.id, r.id));
    h = entry;
  }
  return legacy.length;
}

/** Recomputes the whole chain; names the first broken entry. */
export async function verifyAudit({ q, t }: Store): Promise<AuditVerification> {
  const { auditLog } = t;
  const rows = await q.select().from(auditLog).where(isNotNull(auditLog.seq)).orderBy(asc(auditLog.seq));
  const unchained = await q.select({ id: auditLog.id, action: auditLog.action, at: auditLog.at }).from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id));
  return verificationOf(rows, unchained);
}

/** The audit event of a privileged action by the requesting user (pass it to appendAudit). */
export function requestAudit(req: FastifyRequest, action: string, targetType: string, targetId?: string | number | null, details?: unknown): AuditEvent {
  return { actorUserId: req.user?.id ?? null, action, targetType, targetId: targetId ?? null, details, ip: req.ip };
}
