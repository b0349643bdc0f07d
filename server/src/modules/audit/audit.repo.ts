import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { AuditPage, AuditQuery } from '@diemcau/shared';
import { auditLog } from '../../db/schema.ts';
import type { Db } from '../../db/index.ts';

/** One page of the audit trail, newest first, with the total matching the filters. */
export function listAudit(db: Db, q: AuditQuery): AuditPage {
  const where: SQL | undefined = and(
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.actorUserId ? eq(auditLog.actorUserId, q.actorUserId) : undefined,
    q.targetType ? eq(auditLog.targetType, q.targetType) : undefined,
    q.targetId ? eq(auditLog.targetId, q.targetId) : undefined,
    // `at` is stored as toISOString() text, so normalising the bounds the same way makes text order time order.
    q.from ? gte(auditLog.at, new Date(q.from).toISOString()) : undefined,
    q.to ? lte(auditLog.at, new Date(q.to).toISOString()) : undefined,
  );
  const total = db.select({ n: count() }).from(auditLog).where(where).get()?.n ?? 0;
  const items = db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorUserId: auditLog.actorUserId,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      details: auditLog.details,
      ip: auditLog.ip,
      seq: auditLog.seq,
      hash: auditLog.hash,
    })
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(q.limit ?? 50)
    .offset(q.offset ?? 0)
    .all();
  return { total, items };
}
