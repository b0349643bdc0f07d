/** The voting PIN over Socket.IO: the delegate's phone unlocks voting in its QR session. */
import fp from 'fastify-plugin';

export default fp(
  async (app) => {
    app.realtime.handle('pin:status', (ctx) => app.auth.pinStatus(ctx.user));
    app.realtime.handle('pin:enter', async (ctx, { pin }) => {
      const res = await app.auth.enterPin(ctx.user, pin);
      app.log.info({ userId: ctx.user.id, created: res.created }, 'voting PIN entered');
      return res;
    });
  },
  { name: 'auth-socket', dependencies: ['auth', 'realtime'] },
);
