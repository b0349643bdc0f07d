import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { and, asc, eq } from 'drizzle-orm';
import { ErrorResponse, IdParam, Ok, RoleSchema, User, UserCreate, UserUpdate, type Role } from '@diemcau/shared';
import type { Schema, Store } from '../../db/database.ts';
import { badRequest, conflict, forbidden, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/password.ts';
import { assertPasswordPolicy, canonicalUsername } from '../auth/password-policy.ts';
import { assertHomeBridge, homeBridgeOfUnit } from './home-bridge.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const ListQuery = Type.Object({ role: Type.Optional(RoleSchema) }, { additionalProperties: false });
type UserRow = Schema['users']['$inferSelect'];
const toUser = ({ passwordHash: _h, votePinHash: _p, createdAt: _c, ...u }: UserRow): User => u;

// The secretariat manages the people it invites; only admins create staff accounts.
const SECRETARIAT_MANAGES: readonly Role[] = ['delegate', 'observer'];

/** The unit's province; null without a unit, undefined when the unit does not exist. */
async function provinceOf({ q, t }: Store, unitId: number | null): Promise<number | null | undefined> {
  if (unitId == null) return null;
  const [u] = await q.select({ p: t.units.provinceId }).from(t.units).where(eq(t.units.id, unitId));
  return u?.p ?? undefined;
}

/** A user the actor may see: 404 for another province's. */
async function getUser({ q, t }: Store, actor: AuthUser, id: number): Promise<UserRow> {
  const { users, units } = t;
  const [row] = await q.select({ u: users, p: units.provinceId }).from(users).leftJoin(units, eq(units.id, users.unitId)).where(eq(users.id, id));
  if (!row || (actor.role !== 'admin' && row.p !== actor.provinceId)) throw notFound('User');
  return row.u;
}

function assertMayManage(actor: AuthUser, role: Role): void {
  if (actor.role !== 'admin' && !SECRETARIAT_MANAGES.includes(role)) throw forbidden('Only an administrator manages staff accounts');
}

/** User accounts. Admins manage all; a secretariat manages delegates and observers of its province. */
const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app;
  const manager = app.requireUser('admin', 'secretariat');

  app.get('/users', { onRequest: manager, schema: { tags: ['users'], querystring: ListQuery, response: { 200: Type.Array(User), ...errors } } }, async (req) => {
    const actor = req.user!;
    const rows = await database.run(({ q, t: { users, units } }) =>
      q
        .select({ u: users })
        .from(users)
        .leftJoin(units, eq(units.id, users.unitId))
        .where(and(actor.role === 'admin' ? undefined : eq(units.provinceId, actor.provinceId ?? -1), req.query.role ? eq(users.role, req.query.role) : undefined))
        .orderBy(asc(users.id)),
    );
    return rows.map((r) => toUser(r.u));
  });

  app.get('/users/:id', { onRequest: manager, schema: { tags: ['users'], params: IdParam, response: { 200: User, ...errors } } }, async (req) =>
    toUser(await database.run((s) => getUser(s, req.user!, req.params.id))),
  );

  app.post('/users', { onRequest: manager, schema: { tags: ['users'], body: UserCreate, response: { 201: User, ...errors } } }, async (req, reply) => {
    const actor = req.user!;
    const body = req.body;
    assertMayManage(actor, body.role);
    const username = canonicalUsername(body.username);
    const homeBridgePointId = await database.run(async (s) => {
      const province = await provinceOf(s, body.unitId);
      if (province === undefined) throw notFound('Unit');
      if (body.role !== 'admin' && province == null) throw badRequest('Every account except an admin belongs to a unit');
      if (actor.role !== 'admin' && province !== actor.provinceId) throw forbidden('The unit belongs to another province');
      assertPasswordPolicy(body.password, username);
      const [taken] = await s.q.select({ id: s.t.users.id }).from(s.t.users).where(eq(s.t.users.username, username));
      if (taken) throw conflict('Username already taken');
      // A delegate belongs to a hall: unless one is given, the bridge point of their own unit.
      const home = body.homeBridgePointId !== undefined ? body.homeBridgePointId : body.role === 'delegate' ? await homeBridgeOfUnit(s, body.unitId) : null;
      await assertHomeBridge(s, home, province ?? null);
      return home;
    });
    const passwordHash = await hashPassword(body.password);
    const created = await database.tx(async (s) => {
      const [u] = await s.q
        .insert(s.t.users)
        .values({ username, passwordHash, fullName: body.fullName, title: body.title ?? '', role: body.role, unitId: body.unitId, homeBridgePointId, email: body.email ?? null })
        .returning();
      await appendAudit(s, requestAudit(req, 'user.create', 'user', u!.id, { username, role: u!.role }));
      return u!;
    });
    reply.status(201);
    return toUser(created);
  });

  app.patch('/users/:id', { onRequest: manager, schema: { tags: ['users'], params: IdParam, body: UserUpdate, response: { 200: User, ...errors } } }, async (req) => {
    const actor = req.user!;
    const { password, ...rest } = req.body;
    const target = await database.run(async (s) => {
      const target = await getUser(s, actor, req.params.id);
      assertMayManage(actor, target.role);
      if (password !== undefined) assertPasswordPolicy(password, target.username);
      if (rest.homeBridgePointId !== undefined) await assertHomeBridge(s, rest.homeBridgePointId, (await provinceOf(s, target.unitId)) ?? null);
      return target;
    });
    const passwordHash = password ? await hashPassword(password) : undefined;
    const { updated, ended } = await database.tx(async (s) => {
      const [u] = await s.q.update(s.t.users).set({ ...rest, ...(passwordHash && { passwordHash }) }).where(eq(s.t.users.id, target.id)).returning();
      // A new password or a disabled account must end the sessions already open.
      const ended = passwordHash || rest.active === false ? await app.auth.logoutAll(s, target.id) : null;
      await appendAudit(s, requestAudit(req, 'user.update', 'user', target.id, { ...rest, passwordChanged: Boolean(password) }));
      return { updated: u!, ended };
    });
    ended?.();
    return toUser(updated);
  });

  // Accounts are deactivated, not deleted: the audit log and the minutes keep referring to them.
  app.delete('/users/:id', { onRequest: manager, schema: { tags: ['users'], params: IdParam, response: { 200: Ok, ...errors } } }, async (req) => {
    const actor = req.user!;
    const target = await database.run((s) => getUser(s, actor, req.params.id));
    assertMayManage(actor, target.role);
    if (target.id === actor.id) throw conflict('You cannot deactivate your own account');
    const ended = await database.tx(async (s) => {
      await s.q.update(s.t.users).set({ active: false }).where(eq(s.t.users.id, target.id));
      const ended = await app.auth.logoutAll(s, target.id);
      await appendAudit(s, requestAudit(req, 'user.deactivate', 'user', target.id, { username: target.username }));
      return ended;
    });
    ended();
    return { ok: true as const };
  });
};

export default usersRoutes;
