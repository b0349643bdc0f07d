/**
 * The audit hash chain (audit.chain.ts) on the async data layer (db/database.ts). Appends take the
 * caller's transaction and a lock on the chain, so two nodes on one PostgreSQL server never read
 * the same head; the UNIQUE seq index remains the last line of defence. The synchronous versions in
 * audit.chain.ts go once every caller is converted.
 */
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Store } from '../../db/database.ts';
import { jsonField, lockForTx } from '../../db/dialect.ts';
import { nextEntry } from '../../lib/hash-chain.ts';
import type { AuditEvent } from '../../plugins/audit.ts';
import { payloadOf, recordOf } from './audit.chain.ts';

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

/** Appends one entry inside the caller's transaction (`database.tx`), atomically with its change. */
export async function appendAudit(s: Store, e: AuditEvent, at = new Date().toISOString()): Promise<void> {
  await lockForTx(s, 'audit-chain');
  const rec = recordOf(e, at);
  const entry = nextEntry(await head(s), payloadOf(rec));
  await s.q.insert(s.t.auditLog).values({ ...rec, seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash });
}

/** The audit event of a privileged action by the requesting user (pass it to appendAudit). */
export function requestAudit(req: FastifyRequest, action: string, targetType: string, targetId?: string | number | null, details?: unknown): AuditEvent {
  return { actorUserId: req.user?.id ?? null, action, targetType, targetId: targetId ?? null, details, ip: req.ip };
}
