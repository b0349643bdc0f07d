import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { auditLog } from '../db/schema.ts';
import type { Db } from '../db/index.ts';

export interface AuditEvent {
  actorUserId: number | null;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: unknown;
  ip?: string | null;
}

/** Appends one audit entry. Callers run it inside the same transaction as the change when they have one. */
export function writeAudit(db: Db, e: AuditEvent): void {
  db.insert(auditLog)
    .values({
      actorUserId: e.actorUserId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId == null ? null : String(e.targetId),
      details: e.details ?? null,
      ip: e.ip ?? null,
    })
    .run();
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Audits a privileged action by the requesting user. */
    audit: (action: string, targetType: string, targetId?: string | number | null, details?: unknown) => void;
  }
}

export default fp(
  async (app) => {
    app.decorateRequest('audit', function (this: FastifyRequest, action: string, targetType: string, targetId?: string | number | null, details?: unknown) {
      writeAudit(app.db, { actorUserId: this.user?.id ?? null, action, targetType, targetId: targetId ?? null, details, ip: this.ip });
    });
  },
  { name: 'audit', dependencies: ['db', 'auth'] },
);
