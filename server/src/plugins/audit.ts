import fp from 'fastify-plugin';
import { sealLegacyAudit } from '../modules/audit/audit.store.ts';

export interface AuditEvent {
  actorUserId: number | null;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: unknown;
  ip?: string | null;
}

/** Chains audit rows written before the chain existed, at start; appends go through modules/audit/audit.store.ts. */
export default fp(
  async (app) => {
    const sealed = await app.database.tx(sealLegacyAudit);
    if (sealed) app.log.info({ sealed }, 'audit entries from before the hash chain were chained');
  },
  { name: 'audit', dependencies: ['db', 'auth'] },
);
