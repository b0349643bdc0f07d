/**
 * Response serializers compiled on a route's first response instead of at
 * start. Fastify compiles every route's response schemas with
 * fast-json-stringify during ready(), about a tenth of the start-up time,
 * mostly for routes a given run never calls. Same compiler, same output; a
 * route pays its compile once, on its first reply.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Factory = ReturnType<typeof SerializerSelector>;
type RouteCompiler = ReturnType<Factory>;

const buildSerializer: Factory = (externalSchemas, serializerOpts) => {
  const compile = SerializerSelector()(externalSchemas, serializerOpts);
  return ((route: Parameters<RouteCompiler>[0]) => {
    let serialize: ReturnType<RouteCompiler> | undefined;
    return (data: unknown) => (serialize ??= compile(route))(data);
  }) as RouteCompiler;
};

/** Fastify's `schemaController` option. */
export const lazySerializers = { compilersFactory: { buildSerializer } };
