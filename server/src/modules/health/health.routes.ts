import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { selectRaw } from '../../db/dialect.ts';

const Health = Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() });

/**
 * Liveness for process supervisors, load balancers and the start benchmark: no session needed,
 * and it touches the database so "200" means the server can actually answer requests.
 */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', { schema: { tags: ['health'], response: { 200: Health } } }, async () => {
    await app.database.run((s) => selectRaw(s, sql`select 1`));
    return { status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) };
  });
};

export default healthRoutes;
