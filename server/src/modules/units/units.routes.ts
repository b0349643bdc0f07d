import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { asc, eq, sql } from 'drizzle-orm';
import { ErrorResponse, IdParam, Ok, Unit, UnitCreate, UnitUpdate } from '@diemcau/shared';
import { bridgePoints, meetings, units, users } from '../../db/schema.ts';
import { conflict, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { childLevel } from './unit-tree.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
type UnitRow = typeof units.$inferSelect;
const toUnit = (u: UnitRow): Unit => ({ ...u, provinceId: u.provinceId ?? u.id });

/** The administrative unit tree. Everyone signed in reads their province; admins edit. */
const unitsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app;
  const admin = app.requireUser('admin');
  const visible = (user: AuthUser, u: UnitRow) => user.role === 'admin' || u.provinceId === user.provinceId;
  const getUnit = (user: AuthUser, id: number) => {
    const u = db.select().from(units).where(eq(units.id, id)).get();
    if (!u || !visible(user, u)) throw notFound('Unit');
    return u;
  };
  const uniqueCode = (code: string) => {
    if (db.select().from(units).where(eq(units.code, code)).get()) throw conflict(`Unit code ${code} is already used`);
  };

  app.get('/units', { onRequest: app.requireUser(), schema: { tags: ['units'], response: { 200: Type.Array(Unit), ...errors } } }, (req) => {
    const user = req.user!;
    const q = db.select().from(units);
    const rows = user.role === 'admin' ? q.orderBy(asc(units.code)).all() : q.where(eq(units.provinceId, user.provinceId ?? -1)).orderBy(asc(units.code)).all();
    return rows.map(toUnit);
  });

  app.get('/units/:id', { onRequest: app.requireUser(), schema: { tags: ['units'], params: IdParam, response: { 200: Unit, ...errors } } }, (req) =>
    toUnit(getUnit(req.user!, req.params.id)),
  );

  app.post('/units', { onRequest: admin, schema: { tags: ['units'], body: UnitCreate, response: { 201: Unit, ...errors } } }, (req, reply) => {
    const parent = req.body.parentId == null ? null : getUnit(req.user!, req.body.parentId);
    const level = childLevel(parent);
    uniqueCode(req.body.code);
    const created = db.transaction(() => {
      let u = db.insert(units).values({ parentId: parent?.id ?? null, provinceId: parent?.provinceId ?? null, level, code: req.body.code, name: req.body.name }).returning().get();
      if (!parent) u = db.update(units).set({ provinceId: u.id }).where(eq(units.id, u.id)).returning().get()!;
      req.audit('unit.create', 'unit', u.id, { code: u.code, name: u.name });
      return u;
    });
    reply.status(201);
    return toUnit(created);
  });

  app.patch('/units/:id', { onRequest: admin, schema: { tags: ['units'], params: IdParam, body: UnitUpdate, response: { 200: Unit, ...errors } } }, (req) => {
    const u = getUnit(req.user!, req.params.id);
    if (req.body.code && req.body.code !== u.code) uniqueCode(req.body.code);
    return db.transaction(() => {
      req.audit('unit.update', 'unit', u.id, req.body);
      return toUnit(db.update(units).set(req.body).where(eq(units.id, u.id)).returning().get()!);
    });
  });

  app.delete('/units/:id', { onRequest: admin, schema: { tags: ['units'], params: IdParam, response: { 200: Ok, ...errors } } }, (req) => {
    const u = getUnit(req.user!, req.params.id);
    const used = (t: typeof units | typeof users | typeof bridgePoints | typeof meetings, col: any) =>
      (db.select({ n: sql<number>`count(*)` }).from(t).where(eq(col, u.id)).get()?.n ?? 0) > 0;
    if (used(units, units.parentId) || used(users, users.unitId) || used(bridgePoints, bridgePoints.unitId) || used(meetings, meetings.chairUnitId)) {
      throw conflict('The unit still has child units, users, bridge points or meetings');
    }
    db.transaction(() => {
      req.audit('unit.delete', 'unit', u.id, { code: u.code, name: u.name });
      db.delete(units).where(eq(units.id, u.id)).run();
    });
    return { ok: true as const };
  });

};

export default unitsRoutes;
