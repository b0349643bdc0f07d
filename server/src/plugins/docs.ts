import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI document built from the route schemas, browsable at /docs (assets served locally, no CDN). */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: { title: 'diemcau API', version: '0.1.0', description: 'Paperless meetings and video conferences for bridge points.' },
        components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'dc_session' }, bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ session: [] }, { bearer: [] }],
      },
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
  },
  { name: 'docs' },
);
