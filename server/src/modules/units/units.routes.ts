import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { asc, count, eq, type SQLWrapper } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { ErrorResponse, IdParam, Ok, Unit, UnitCreate, UnitUpdate } from '@diemcau/shared';
import type { Schema, Store } from '../../db/database.ts';
import { conflict, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { childLevel } from './unit-tree.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
type UnitRow = Schema['units']['$inferSelect'];
const toUnit = (u: UnitRow): Unit => ({ ...u, provinceId: u.provinceId ?? u.id });

const visible = (user: AuthUser, u: UnitRow) => user.role === 'admin' || u.provinceId === user.provinceId;

async function getUnit({ q, t }: Store, user: AuthUser, id: number): Promise<UnitRow> {
  const [u] = await q.select().from(t.units).where(eq(t.units.id, id));
  if (!u || !visible(user, u)) throw notFound('Unit');
  return u;
}

async function assertUniqueCode({ q, t }: Store, code: string): Promise<void> {
  const [taken] = await q.select({ id: t.units.id }).from(t.units).where(eq(t.units.code, code));
  if (taken) throw conflict(`Unit code ${code} is already used`);
}

/** Whether any row of `table` refers to the unit through `column`. */
async function referenced({ q }: Store, table: SQLiteTable, column: SQLWrapper, unitId: number): Promise<boolean> {
  const [row] = await q.select({ n: count() }).from(table).where(eq(column, unitId));
  return (row?.n ?? 0) > 0;
}

/** The administrative unit tree. Everyone signed in reads their province; admins edit. */
const unitsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app;
  const admin = app.requireUser('admin');

  app.get('/units', { onRequest: app.requireUser(), schema: { tags: ['units'], response: { 200: Type.Array(Unit), ...errors } } }, async (req) => {
    const user = req.user!;
    const rows = await database.run(({ q, t: { units } }) =>
      q
        .select()
        .from(units)
        .where(user.role === 'admin' ? undefined : eq(units.provinceId, user.provinceId ?? -1))
        .orderBy(asc(units.code)),
    );
    return rows.map(toUnit);
  });

  app.get('/units/:id', { onRequest: app.requireUser(), schema: { tags: ['units'], params: IdParam, response: { 200: Unit, ...errors } } }, async (req) =>
    toUnit(await database.run((s) => getUnit(s, req.user!, req.params.id))),
  );

  app.post('/units', { onRequest: admin, schema: { tags: ['units'], body: UnitCreate, response: { 201: Unit, ...errors } } }, async (req, reply) => {
    const created = await database.tx(async (s) => {
      const { q, t } = s;
      const parent = req.body.parentId == null ? null : await getUnit(s, req.user!, req.body.parentId);
      const level = childLevel(parent);
      await assertUniqueCode(s, req.body.code);
      let [u] = await q.insert(t.units).values({ parentId: parent?.id ?? null, provinceId: parent?.provinceId ?? null, level, code: req.body.code, name: req.body.name }).returning();
      // A province is its own province: its id is known only once inserted.
      if (!parent) [u] = await q.update(t.units).set({ provinceId: u!.id }).where(eq(t.units.id, u!.id)).returning();
      await appendAudit(s, requestAudit(req, 'unit.create', 'unit', u!.id, { code: u!.code, name: u!.name }));
      return u!;
    });
    reply.status(201);
    return toUnit(created);
  });

  app.patch('/units/:id', { onRequest: admin, schema: { tags: ['units'], params: IdParam, body: UnitUpdate, response: { 200: Unit, ...errors } } }, async (req) =>
    database.tx(async (s) => {
      const u = await getUnit(s, req.user!, req.params.id);
      if (req.body.code && req.body.code !== u.code) await assertUniqueCode(s, req.body.code);
      await appendAudit(s, requestAudit(req, 'unit.update', 'unit', u.id, req.body));
      const [updated] = await s.q.update(s.t.units).set(req.body).where(eq(s.t.units.id, u.id)).returning();
      return toUnit(updated!);
    }),
  );

  app.delete('/units/:id', { onRequest: admin, schema: { tags: ['units'], params: IdParam, response: { 200: Ok, ...errors } } }, async (req) => {
    await database.tx(async (s) => {
      const { units, users, bridgePoints, meetings } = s.t;
      const u = await getUnit(s, req.user!, req.params.id);
      const uses: [SQLiteTable, SQLWrapper][] = [[units, units.parentId], [users, users.unitId], [bridgePoints, bridgePoints.unitId], [meetings, meetings.chairUnitId]];
      for (const [table, column] of uses) {
        if (await referenced(s, table, column, u.id)) throw conflict('The unit still has child units, users, bridge points or meetings');
      }
      await appendAudit(s, requestAudit(req, 'unit.delete', 'unit', u.id, { code: u.code, name: u.name }));
      await s.q.delete(units).where(eq(units.id, u.id));
    });
    return { ok: true as const };
  });
};

export default unitsRoutes;
