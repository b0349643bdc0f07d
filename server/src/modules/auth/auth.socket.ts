/** The voting PIN over Socket.IO: the delegate's phone unlocks voting in its QR session. */
import fp from 'fastify-plugin';
import type { AuditEvent } from '../../plugins/audit.ts';
import { AppError } from '../../lib/app-error.ts';
import { appendAudit } from '../audit/audit.store.ts';

export default fp(
  async (app) => {
    app.realtime.handle('pin:status', (ctx) => app.auth.pinStatus(ctx.user));
    app.realtime.handle('pin:enter', async (ctx, { pin }) => {
      const event = { actorUserId: ctx.user.id, targetType: 'user', targetId: ctx.user.id, ip: ctx.socket.handshake.address };
      const audit = (e: Pick<AuditEvent, 'action' | 'details'>) => app.database.tx((s) => appendAudit(s, { ...event, ...e }));
      try {
        const res = await app.auth.enterPin(ctx.user, pin);
        await audit({ action: 'auth.pin_unlock' });
        return res;
      } catch (err) {
        // Someone holding a printed QR sheet guessing the PIN is exactly what the audit log is for.
        if (err instanceof AppError) await audit({ action: 'auth.pin_failed', details: { code: err.code, qrJti: ctx.user.scope?.qrJti ?? null } });
        throw err;
      }
    });
  },
  { name: 'auth-socket', dependencies: ['auth', 'realtime', 'audit'] },
);
