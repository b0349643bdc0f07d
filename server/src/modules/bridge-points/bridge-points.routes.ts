import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { and, asc, eq, sql } from 'drizzle-orm';
import { BridgePoint, BridgePointCreate, BridgePointUpdate, ErrorResponse, IdParam, Id, Ok } from '@diemcau/shared';
import { bridgePoints, meetingBridgePoints, units, users } from '../../db/schema.ts';
import { badRequest, conflict, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { bridgeLevelOf } from '../units/unit-tree.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const ListQuery = Type.Object({ unitId: Type.Optional(Id) }, { additionalProperties: false });

/** Bridge points (điểm cầu). Everyone signed in reads their province's; admins edit. */
const bridgePointsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app;
  const admin = app.requireUser('admin');

  const scoped = (user: AuthUser) => (user.role === 'admin' ? undefined : eq(units.provinceId, user.provinceId ?? -1));
  const getBp = (user: AuthUser, id: number) => {
    const row = db.select({ bp: bridgePoints }).from(bridgePoints).innerJoin(units, eq(units.id, bridgePoints.unitId)).where(and(eq(bridgePoints.id, id), scoped(user))).get();
    if (!row) throw notFound('Bridge point');
    return row.bp;
  };
  const checkOperator = (operatorUserId: number | null | undefined, exceptBp?: number) => {
    if (operatorUserId == null) return;
    const u = db.select().from(users).where(eq(users.id, operatorUserId)).get();
    if (!u || u.role !== 'bridge_operator') throw badRequest('operatorUserId must be a bridge_operator account');
    const taken = db.select().from(bridgePoints).where(eq(bridgePoints.operatorUserId, operatorUserId)).get();
    if (taken && taken.id !== exceptBp) throw conflict('That operator already runs another bridge point');
  };

  app.get('/bridge-points', { onRequest: app.requireUser(), schema: { tags: ['bridge points'], querystring: ListQuery, response: { 200: Type.Array(BridgePoint), ...errors } } }, (req) =>
    db
      .select({ bp: bridgePoints })
      .from(bridgePoints)
      .innerJoin(units, eq(units.id, bridgePoints.unitId))
      .where(and(scoped(req.user!), req.query.unitId ? eq(bridgePoints.unitId, req.query.unitId) : undefined))
      .orderBy(asc(bridgePoints.id))
      .all()
      .map((r) => r.bp),
  );

  app.get('/bridge-points/:id', { onRequest: app.requireUser(), schema: { tags: ['bridge points'], params: IdParam, response: { 200: BridgePoint, ...errors } } }, (req) =>
    getBp(req.user!, req.params.id),
  );

  app.post('/bridge-points', { onRequest: admin, schema: { tags: ['bridge points'], body: BridgePointCreate, response: { 201: BridgePoint, ...errors } } }, (req, reply) => {
    const unit = db.select().from(units).where(eq(units.id, req.body.unitId)).get();
    if (!unit) throw notFound('Unit');
    checkOperator(req.body.operatorUserId);
    const bp = db.transaction(() => {
      const created = db.insert(bridgePoints).values({ ...req.body, operatorUserId: req.body.operatorUserId ?? null, level: bridgeLevelOf(unit.level) }).returning().get();
      req.audit('bridge_point.create', 'bridge_point', created.id, { name: created.name });
      return created;
    });
    reply.status(201);
    return bp;
  });

  app.patch('/bridge-points/:id', { onRequest: admin, schema: { tags: ['bridge points'], params: IdParam, body: BridgePointUpdate, response: { 200: BridgePoint, ...errors } } }, (req) => {
    const bp = getBp(req.user!, req.params.id);
    checkOperator(req.body.operatorUserId, bp.id);
    return db.transaction(() => {
      req.audit('bridge_point.update', 'bridge_point', bp.id, req.body);
      return db.update(bridgePoints).set(req.body).where(eq(bridgePoints.id, bp.id)).returning().get()!;
    });
  });

  app.delete('/bridge-points/:id', { onRequest: admin, schema: { tags: ['bridge points'], params: IdParam, response: { 200: Ok, ...errors } } }, (req) => {
    const bp = getBp(req.user!, req.params.id);
    const invited = db.select({ n: sql<number>`count(*)` }).from(meetingBridgePoints).where(eq(meetingBridgePoints.bridgePointId, bp.id)).get()?.n ?? 0;
    if (invited > 0) throw conflict('The bridge point is invited to meetings; uninvite it first');
    db.transaction(() => {
      req.audit('bridge_point.delete', 'bridge_point', bp.id, { name: bp.name });
      db.delete(bridgePoints).where(eq(bridgePoints.id, bp.id)).run();
    });
    return { ok: true as const };
  });
};

export default bridgePointsRoutes;
