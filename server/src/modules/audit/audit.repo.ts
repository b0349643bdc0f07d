import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { AuditPage, AuditQuery } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';

/** One page of the audit trail, newest first, with the total matching the filters. */
export async function listAudit({ q, t }: Store, filter: AuditQuery): Promise<AuditPage> {
  const { auditLog } = t;
  const where: SQL | undefined = and(
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.actorUserId ? eq(auditLog.actorUserId, filter.actorUserId) : undefined,
    filter.targetType ? eq(auditLog.targetType, filter.targetType) : undefined,
    filter.targetId ? eq(auditLog.targetId, filter.targetId) : undefined,
    // `at` is stored as toISOString() text, so normalising the bounds the same way makes text order time order.
    filter.from ? gte(auditLog.at, new Date(filter.from).toISOString()) : undefined,
    filter.to ? lte(auditLog.at, new Date(filter.to).toISOString()) : undefined,
  );
  const [counted] = await q.select({ n: count() }).from(auditLog).where(where);
  const items = await q
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
    .limit(filter.limit ?? 50)
    .offset(filter.offset ?? 0);
  return { total: counted?.n ?? 0, items };
}
