/**
 * The internal node-to-node media API (issue 12), under /internal/media:
 * what one node asks another to pipe media between them (node-pipe.ts on
 * the asking side, pipe-ingress.ts on this one), the heartbeat, and the
 * trigger that pipes a meeting's stage to another node.
 *
 * Registered only when CLUSTER_SECRET is set, and every request must carry
 * it: these routes create transports and inject media into any meeting, so
 * they are for the other nodes, never for browsers (the proxy in front
 * should not expose /internal at all).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ErrorResponse, MediaKindSchema, RoleSchema, RtpParametersSchema } from '@diemcau/shared';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { ms } from './mediasoup.ts';
import { CLUSTER_SECRET_HEADER } from './node-client.ts';

export interface InternalRoutesOptions {
  secret: string;
}

const MsId = Type.String({ minLength: 1, maxLength: 64 });
const NodeUrl = Type.String({ pattern: '^https?://[^\\s/]+$', maxLength: 300 });
const NodeRef = Type.Object({ nodeId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), url: NodeUrl }, { additionalProperties: false });
const SrtpParameters = Type.Object(
  { cryptoSuite: Type.Enum(['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']), keyBase64: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const PipeEnd = Type.Object({ ip: Type.String({ minLength: 1, maxLength: 64 }), port: Type.Integer({ minimum: 1, maximum: 65535 }), srtpParameters: SrtpParameters });
const LinkBody = Type.Object(
  { linkId: MsId, meetingId: Type.Integer({ minimum: 1 }), from: NodeRef, ip: PipeEnd.properties.ip, port: PipeEnd.properties.port, srtpParameters: SrtpParameters },
  { additionalProperties: false },
);
const Owner = Type.Object(
  {
    peerId: Type.String({ minLength: 1, maxLength: 128 }),
    info: Type.Object(
      {
        userId: Type.Integer({ minimum: 1 }),
        role: RoleSchema,
        bridgePointId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        label: Type.String({ maxLength: 300 }),
        chair: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const ProduceBody = Type.Object(
  { producerId: MsId, kind: MediaKindSchema, rtpParameters: RtpParametersSchema, paused: Type.Boolean(), owner: Owner },
  { additionalProperties: false },
);
const LinkParams = Type.Object({ linkId: MsId });
const ProducerParams = Type.Object({ linkId: MsId, producerId: MsId });
const Ok = Type.Object({ ok: Type.Literal(true) });
const errors = { 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const tags = ['internal'];

/** Compares in constant time, so the secret cannot be guessed a byte at a time from response times. */
function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

const internalRoutes: FastifyPluginAsyncTypebox<InternalRoutesOptions> = async (app, opts) => {
  const requireNode = async (req: FastifyRequest) => {
    const given = req.headers[CLUSTER_SECRET_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, opts.secret)) {
      throw new AppError('UNAUTHENTICATED', 401, 'Internal media API: missing or wrong cluster secret');
    }
  };
  const cluster = async () => {
    const c = (await app.media.service()).cluster;
    if (!c) throw new AppError('CONFLICT', 409, 'This node is not part of a media cluster');
    return c;
  };
  const ok = { ok: true as const };

  app.get(
    '/ping',
    { onRequest: requireNode, schema: { tags, response: { 200: Type.Object({ nodeId: Type.String(), bootId: Type.String() }), 401: ErrorResponse, 409: ErrorResponse } } },
    async () => {
      // A probe must not start the workers: a node whose media service is not running holds no pipes (409 counts as a miss).
      const c = app.media.started()?.cluster;
      if (!c) throw new AppError('CONFLICT', 409, 'No media service is running on this node');
      return c.ping();
    },
  );

  app.post('/links', { onRequest: requireNode, schema: { tags, body: LinkBody, response: { 200: PipeEnd, ...errors } } }, async (req) => {
    const { linkId, meetingId, from, ip, port, srtpParameters } = req.body;
    return (await cluster()).ingress.open({ linkId, meetingId, from, ip, port, srtpParameters: srtpParameters as ms.SrtpParameters });
  });

  app.delete('/links/:linkId', { onRequest: requireNode, schema: { tags, params: LinkParams, response: { 200: Ok, ...errors } } }, async (req) => {
    if (!(await cluster()).closeLink(req.params.linkId)) throw notFound('Link');
    return ok;
  });

  app.post(
    '/links/:linkId/producers',
    { onRequest: requireNode, schema: { tags, params: LinkParams, body: ProduceBody, response: { 200: Type.Object({ producerId: MsId }), ...errors } } },
    async (req) => {
      const b = req.body;
      return (await cluster()).ingress.produce(req.params.linkId, { ...b, rtpParameters: b.rtpParameters as ms.RtpParameters });
    },
  );

  app.post(
    '/links/:linkId/producers/:producerId/pause',
    {
      onRequest: requireNode,
      schema: { tags, params: ProducerParams, body: Type.Object({ paused: Type.Boolean() }, { additionalProperties: false }), response: { 200: Ok, ...errors } },
    },
    async (req) => {
      await (await cluster()).ingress.setPaused(req.params.linkId, req.params.producerId, req.body.paused);
      return ok;
    },
  );

  app.delete('/links/:linkId/producers/:producerId', { onRequest: requireNode, schema: { tags, params: ProducerParams, response: { 200: Ok, ...errors } } }, async (req) => {
    (await cluster()).ingress.closeProducer(req.params.linkId, req.params.producerId);
    return ok;
  });

  app.post(
    '/meetings/:id/pipe',
    {
      onRequest: requireNode,
      schema: {
        tags,
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ nodeUrl: NodeUrl, producerIds: Type.Optional(Type.Array(MsId, { maxItems: 32 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ producerIds: Type.Array(MsId) }), 502: ErrorResponse, 504: ErrorResponse, ...errors },
      },
    },
    async (req) => {
      const service = await app.media.service();
      const { nodeUrl, producerIds } = req.body;
      if (!producerIds) return service.pipeStageTo(req.params.id, nodeUrl);
      return { producerIds: await Promise.all(producerIds.map((id) => service.pipeProducerTo(req.params.id, id, nodeUrl))) };
    },
  );
};

export default internalRoutes;
