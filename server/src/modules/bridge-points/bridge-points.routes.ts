import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { and, asc, count, eq } from 'drizzle-orm';
import { BridgePoint, BridgePointCreate, BridgePointUpdate, ErrorResponse, IdParam, Id, Ok } from '@diemcau/shared';
import type { Schema, Store } from '../../db/database.ts';
import { badRequest, conflict, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { bridgeLevelOf } from '../units/unit-tree.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const ListQuery = Type.Object({ unitId: Type.Optional(Id) }, { additionalProperties: false });

/** Bridge points of the user's province (all for an admin). */
const scoped = (t: Schema, user: AuthUser) => (user.role === 'admin' ? undefined : eq(t.units.provinceId, user.provinceId ?? -1));

async function getBp({ q, t }: Store, user: AuthUser, id: number) {
  const { bridgePoints, units } = t;
  const [row] = await q
    .select({ bp: bridgePoints })
    .from(bridgePoints)
    .innerJoin(units, eq(units.id, bridgePoints.unitId))
    .where(and(eq(bridgePoints.id, id), scoped(t, user)));
  if (!row) throw notFound('Bridge point');
  return row.bp;
}

/** The operator must be a bridge_operator account running no other bridge point than `exceptBp`. */
async function checkOperator({ q, t }: Store, operatorUserId: number | null | undefined, exceptBp?: number): Promise<void> {
  if (operatorUserId == null) return;
  const [u] = await q.select({ role: t.users.role }).from(t.users).where(eq(t.users.id, operatorUserId));
  if (!u || u.role !== 'bridge_operator') throw badRequest('operatorUserId must be a bridge_operator account');
  const [taken] = await q.select({ id: t.bridgePoints.id }).from(t.bridgePoints).where(eq(t.bridgePoints.operatorUserId, operatorUserId));
  if (taken && taken.id !== exceptBp) throw conflict('That operator already runs another bridge point');
}

/** Bridge points (điểm cầu). Everyone signed in reads their province's; admins edit. */
const bridgePointsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app;
  const admin = app.requireUser('admin');

  app.get('/bridge-points', { onRequest: app.requireUser(), schema: { tags: ['bridge points'], querystring: ListQuery, response: { 200: Type.Array(BridgePoint), ...errors } } }, async (req) => {
    const rows = await database.run(({ q, t }) =>
      q
        .select({ bp: t.bridgePoints })
        .from(t.bridgePoints)
        .innerJoin(t.units, eq(t.units.id, t.bridgePoints.unitId))
        .where(and(scoped(t, req.user!), req.query.unitId ? eq(t.bridgePoints.unitId, req.query.unitId) : undefined))
        .orderBy(asc(t.bridgePoints.id)),
    );
    return rows.map((r) => r.bp);
  });

  app.get('/bridge-points/:id', { onRequest: app.requireUser(), schema: { tags: ['bridge points'], params: IdParam, response: { 200: BridgePoint, ...errors } } }, async (req) =>
    database.run((s) => getBp(s, req.user!, req.params.id)),
  );

  app.post('/bridge-points', { onRequest: admin, schema: { tags: ['bridge points'], body: BridgePointCreate, response: { 201: BridgePoint, ...errors } } }, async (req, reply) => {
    const bp = await database.tx(async (s) => {
      const { q, t } = s;
      const [unit] = await q.select({ level: t.units.level }).from(t.units).where(eq(t.units.id, req.body.unitId));
      if (!unit) throw notFound('Unit');
      await checkOperator(s, req.body.operatorUserId);
      const [created] = await q.insert(t.bridgePoints).values({ ...req.body, operatorUserId: req.body.operatorUserId ?? null, level: bridgeLevelOf(unit.level) }).returning();
      await appendAudit(s, requestAudit(req, 'bridge_point.create', 'bridge_point', created!.id, { name: created!.name }));
      return created!;
    });
    reply.status(201);
    return bp;
  });

  app.patch('/bridge-points/:id', { onRequest: admin, schema: { tags: ['bridge points'], params: IdParam, body: BridgePointUpdate, response: { 200: BridgePoint, ...errors } } }, async (req) =>
    database.tx(async (s) => {
      const bp = await getBp(s, req.user!, req.params.id);
      await checkOperator(s, req.body.operatorUserId, bp.id);
      await appendAudit(s, requestAudit(req, 'bridge_point.update', 'bridge_point', bp.id, req.body));
      const [updated] = await s.q.update(s.t.bridgePoints).set(req.body).where(eq(s.t.bridgePoints.id, bp.id)).returning();
      return updated!;
    }),
  );

  app.delete('/bridge-points/:id', { onRequest: admin, schema: { tags: ['bridge points'], params: IdParam, response: { 200: Ok, ...errors } } }, async (req) => {
    await database.tx(async (s) => {
      const { q, t } = s;
      const bp = await getBp(s, req.user!, req.params.id);
      const [invited] = await q.select({ n: count() }).from(t.meetingBridgePoints).where(eq(t.meetingBridgePoints.bridgePointId, bp.id));
      if ((invited?.n ?? 0) > 0) throw conflict('The bridge point is invited to meetings; uninvite it first');
      await appendAudit(s, requestAudit(req, 'bridge_point.delete', 'bridge_point', bp.id, { name: bp.name }));
      await q.delete(t.bridgePoints).where(eq(t.bridgePoints.id, bp.id));
    });
    return { ok: true as const };
  });
};

export default bridgePointsRoutes;
