/** The voting PIN over Socket.IO: the delegate's phone unlocks voting in its QR session. */
import fp from 'fastify-plugin';
import { writeAudit } from '../../plugins/audit.ts';
import { AppError } from '../../lib/app-error.ts';

export default fp(
  async (app) => {
    app.realtime.handle('pin:status', (ctx) => app.auth.pinStatus(ctx.user));
    app.realtime.handle('pin:enter', async (ctx, { pin }) => {
      const ip = ctx.socket.handshake.address;
      try {
        const res = await app.auth.enterPin(ctx.user, pin);
        writeAudit(app.db, { actorUserId: ctx.user.id, action: 'auth.pin_unlock', targetType: 'user', targetId: ctx.user.id, ip });
        return res;
      } catch (err) {
        // Someone holding a printed QR sheet guessing the PIN is exactly what the audit log is for.
        if (err instanceof AppError) writeAudit(app.db, { actorUserId: ctx.user.id, action: 'auth.pin_failed', targetType: 'user', targetId: ctx.user.id, details: { code: err.code, qrJti: ctx.user.scope?.qrJti ?? null }, ip });
        throw err;
      }
    });
  },
  { name: 'auth-socket', dependencies: ['auth', 'realtime', 'audit'] },
);
