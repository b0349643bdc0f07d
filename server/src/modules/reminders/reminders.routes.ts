/**
 * Reminders: the service on `app.reminders`, its HTTP list (shown after
 * sign-in), and the timer that runs the scheduler. The clock is injectable
 * (buildApp deps.now) so tests move time instead of waiting for it.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse, Ok, ReminderNotice } from '@diemcau/shared';
import type { Config } from '../../config.ts';
import { inScope } from '../auth/auth.service.ts';
import { RemindersService } from './reminders.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    reminders: RemindersService;
  }
}

const tags = ['reminders'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

export default fp<{ config: Config; now?: () => Date }>(
  async (app, { config, now = () => new Date() }) => {
    const svc = new RemindersService(app.database, app.realtime, app.mailer, { offsets: config.reminderOffsetsMinutes, now, baseUrl: config.publicBaseUrl });
    app.decorate('reminders', svc);

    const routes: FastifyPluginAsyncTypebox = async (api) => {
      const anyone = api.requireUser();
      api.get(
        '/reminders',
        {
          onRequest: anyone,
          schema: {
            tags,
            summary: 'Nhắc họp chưa xem / Unseen meeting reminders',
            description: 'Reminders sent to the signed-in user before their meetings start and not yet dismissed, newest first. A QR session sees only its own meeting\'s. The same notices are pushed live as `meeting:reminded`.',
            response: { 200: Type.Array(ReminderNotice), ...errors },
          },
        },
        (req) => svc.list(req.user!.id, (meetingId) => inScope(req.user!, meetingId)),
      );
      api.post(
        '/reminders/seen',
        {
          onRequest: anyone,
          schema: {
            tags,
            summary: 'Đánh dấu đã xem nhắc họp / Dismiss reminders',
            description: 'Marks the listed reminders (all of the user\'s when `ids` is omitted) as seen, so they are no longer shown after sign-in. A QR session dismisses only its own meeting\'s.',
            body: Type.Optional(Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })) }, { additionalProperties: false })),
            response: { 200: Ok, ...errors },
          },
        },
        async (req) => {
          const user = req.user!;
          await svc.markSeen(user.id, req.body?.ids, user.scope ? (m) => inScope(user, m) : undefined);
          return { ok: true as const };
        },
      );
    };
    await app.register(routes, { prefix: '/api' });

    const tick = () => svc.runDue().catch((err: unknown) => app.log.error({ err }, 'reminders run failed'));
    let timer: NodeJS.Timeout | null = null;
    app.addHook('onReady', async () => {
      if (!config.reminderOffsetsMinutes.length) return;
      timer = setInterval(tick, config.reminderCheckSeconds * 1000);
      timer.unref();
      void tick();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
      // Let a run in progress finish its writes before the database closes.
      await svc.idle();
    });
  },
  { name: 'reminders', dependencies: ['db', 'realtime', 'mailer', 'auth'] },
);
