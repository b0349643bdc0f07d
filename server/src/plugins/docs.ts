import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { buildAsyncApi } from '../lib/asyncapi.ts';
import { asyncApiHtml } from '../lib/asyncapi-html.ts';
import { addExamples, transformRoute } from '../lib/openapi-docs.ts';

const VERSION = '0.1.0';

/**
 * OpenAPI document built from the route schemas, browsable at /docs (assets served locally, no CDN),
 * and beside it the AsyncAPI document of the Socket.IO protocol, built from the shared contract.
 */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: { title: 'diemcau API', version: VERSION, description: 'Paperless meetings and video conferences for bridge points.' },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'dc_session' },
            bearer: { type: 'http', scheme: 'bearer' },
            // The internal node-to-node media API (x-internal operations), when CLUSTER_SECRET is set.
            cluster: { type: 'apiKey', in: 'header', name: 'x-diemcau-cluster-secret' },
          },
        },
        security: [{ session: [] }, { bearer: [] }],
      },
      transform: transformRoute as never,
      transformObject: ((d: { openapiObject: Record<string, unknown> }) => addExamples(d.openapiObject)) as never,
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // swagger-ui's own CSP allows its inline scripts by hash (no 'unsafe-inline'); drop what it adds
      // for the internet (https: fonts and styles, the online validator) and upgrade-insecure-requests,
      // which would send the assets to https on a plain-http LAN and break the page.
      staticCSP: true,
      transformStaticCSP: (header: string) =>
        header
          .replace(/ https:/g, '')
          .replace(/ validator\.swagger\.io/g, '')
          .replace(/\s*upgrade-insecure-requests;?/g, ''),
    });
    // Built once: the contract does not change while the server runs.
    const asyncApi = buildAsyncApi(VERSION);
    const html = asyncApiHtml(asyncApi);
    const hide = { hide: true };
    app.get('/docs/asyncapi.json', { schema: hide }, (_req, reply) => reply.header('cache-control', 'no-cache').send(asyncApi));
    app.get('/docs/asyncapi', { schema: hide }, (_req, reply) => reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html));
  },
  { name: 'docs' },
);
