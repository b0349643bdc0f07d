import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { appendAudit } from '../modules/audit/audit.chain.ts';
import { sealLegacyAudit } from '../modules/audit/audit.store.ts';

export interface AuditEvent {
  actorUserId: number | null;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: unknown;
  ip?: string | null;
}

/**
 * Appends one audit entry to the hash chain (modules/audit/audit.chain.ts). Callers run it inside
 * the same transaction as the change when they have one, passing that transaction.
 */
export function writeAudit(db: Db, e: AuditEvent): void {
  appendAudit(db, e);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Audits a privileged action by the requesting user. */
    audit: (action: string, targetType: string, targetId?: string | number | null, details?: unknown) => void;
  }
}

export default fp(
  async (app) => {
    const sealed = await app.database.tx(sealLegacyAudit);
    if (sealed) app.log.info({ sealed }, 'audit entries from before the hash chain were chained');
    app.decorateRequest('audit', function (this: FastifyRequest, action: string, targetType: string, targetId?: string | number | null, details?: unknown) {
      writeAudit(app.db, { actorUserId: this.user?.id ?? null, action, targetType, targetId: targetId ?? null, details, ip: this.ip });
    });
  },
  { name: 'audit', dependencies: ['db', 'auth'] },
);
