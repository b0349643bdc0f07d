/**
 * REST view of the media workers for the secretariat and admins: each
 * worker's measured and modelled CPU, what it carries and which meetings'
 * routers run on it. Reading it never starts the workers.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, MediaWorkers } from '@diemcau/shared';

const mediaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/media/workers',
    { onRequest: app.requireUser('admin', 'secretariat'), schema: { tags: ['media'], response: { 200: MediaWorkers, 401: ErrorResponse, 403: ErrorResponse } } },
    async () => {
      const service = app.media.started();
      if (!service) return { started: false, workers: [] };
      return { started: true, workers: service.workerLoads() };
    },
  );
};

export default mediaRoutes;
