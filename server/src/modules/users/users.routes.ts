import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { and, asc, eq } from 'drizzle-orm';
import { ErrorResponse, IdParam, Ok, RoleSchema, User, UserCreate, UserUpdate, type Role } from '@diemcau/shared';
import { units, users } from '../../db/schema.ts';
import { badRequest, conflict, forbidden, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/password.ts';
import { assertPasswordPolicy, canonicalUsername } from '../auth/password-policy.ts';
import { assertHomeBridge, homeBridgeOfUnit } from './home-bridge.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const ListQuery = Type.Object({ role: Type.Optional(RoleSchema) }, { additionalProperties: false });
type UserRow = typeof users.$inferSelect;
const toUser = ({ passwordHash: _h, votePinHash: _p, createdAt: _c, ...u }: UserRow): User => u;

// The secretariat manages the people it invites; only admins create staff accounts.
const SECRETARIAT_MANAGES: readonly Role[] = ['delegate', 'observer'];

/** User accounts. Admins manage all; a secretariat manages delegates and observers of its province. */
const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app;
  const manager = app.requireUser('admin', 'secretariat');

  const provinceOf = (unitId: number | null) =>
    unitId == null ? null : (db.select({ p: units.provinceId }).from(units).where(eq(units.id, unitId)).get()?.p ?? undefined);
  const getUser = (actor: AuthUser, id: number): UserRow => {
    const row = db.select({ u: users, p: units.provinceId }).from(users).leftJoin(units, eq(units.id, users.unitId)).where(eq(users.id, id)).get();
    if (!row || (actor.role !== 'admin' && row.p !== actor.provinceId)) throw notFound('User');
    return row.u;
  };
  const assertMayManage = (actor: AuthUser, role: Role) => {
    if (actor.role !== 'admin' && !SECRETARIAT_MANAGES.includes(role)) throw forbidden('Only an administrator manages staff accounts');
  };

  app.get('/users', { onRequest: manager, schema: { tags: ['users'], querystring: ListQuery, response: { 200: Type.Array(User), ...errors } } }, (req) => {
    const actor = req.user!;
    return db
      .select({ u: users })
      .from(users)
      .leftJoin(units, eq(units.id, users.unitId))
      .where(and(actor.role === 'admin' ? undefined : eq(units.provinceId, actor.provinceId ?? -1), req.query.role ? eq(users.role, req.query.role) : undefined))
      .orderBy(asc(users.id))
      .all()
      .map((r) => toUser(r.u));
  });

  app.get('/users/:id', { onRequest: manager, schema: { tags: ['users'], params: IdParam, response: { 200: User, ...errors } } }, (req) => toUser(getUser(req.user!, req.params.id)));

  app.post('/users', { onRequest: manager, schema: { tags: ['users'], body: UserCreate, response: { 201: User, ...errors } } }, async (req, reply) => {
    const actor = req.user!;
    const body = req.body;
    assertMayManage(actor, body.role);
    const province = provinceOf(body.unitId);
    if (province === undefined) throw notFound('Unit');
    if (body.role !== 'admin' && province == null) throw badRequest('Every account except an admin belongs to a unit');
    if (actor.role !== 'admin' && province !== actor.provinceId) throw forbidden('The unit belongs to another province');
    const username = canonicalUsername(body.username);
    assertPasswordPolicy(body.password, username);
    if (db.select().from(users).where(eq(users.username, username)).get()) throw conflict('Username already taken');
    // A delegate belongs to a hall: unless one is given, the bridge point of their own unit.
    const homeBridgePointId = body.homeBridgePointId !== undefined ? body.homeBridgePointId : body.role === 'delegate' ? homeBridgeOfUnit(db, body.unitId) : null;
    assertHomeBridge(db, homeBridgePointId, province ?? null);
    const passwordHash = await hashPassword(body.password);
    const created = db.transaction(() => {
      const u = db
        .insert(users)
        .values({ username, passwordHash, fullName: body.fullName, title: body.title ?? '', role: body.role, unitId: body.unitId, homeBridgePointId, email: body.email ?? null })
        .returning()
        .get();
      req.audit('user.create', 'user', u.id, { username, role: u.role });
      return u;
    });
    reply.status(201);
    return toUser(created);
  });

  app.patch('/users/:id', { onRequest: manager, schema: { tags: ['users'], params: IdParam, body: UserUpdate, response: { 200: User, ...errors } } }, async (req) => {
    const actor = req.user!;
    const target = getUser(actor, req.params.id);
    assertMayManage(actor, target.role);
    const { password, ...rest } = req.body;
    if (password !== undefined) assertPasswordPolicy(password, target.username);
    if (rest.homeBridgePointId !== undefined) assertHomeBridge(db, rest.homeBridgePointId, provinceOf(target.unitId) ?? null);
    const passwordHash = password ? await hashPassword(password) : undefined;
    return db.transaction(() => {
      const u = db.update(users).set({ ...rest, ...(passwordHash && { passwordHash }) }).where(eq(users.id, target.id)).returning().get()!;
      // A new password or a disabled account must end the sessions already open.
      if (passwordHash || rest.active === false) app.auth.logoutAll(target.id);
      req.audit('user.update', 'user', target.id, { ...rest, passwordChanged: Boolean(password) });
      return toUser(u);
    });
  });

  // Accounts are deactivated, not deleted: the audit log and the minutes keep referring to them.
  app.delete('/users/:id', { onRequest: manager, schema: { tags: ['users'], params: IdParam, response: { 200: Ok, ...errors } } }, (req) => {
    const actor = req.user!;
    const target = getUser(actor, req.params.id);
    assertMayManage(actor, target.role);
    if (target.id === actor.id) throw conflict('You cannot deactivate your own account');
    db.transaction(() => {
      db.update(users).set({ active: false }).where(eq(users.id, target.id)).run();
      app.auth.logoutAll(target.id);
      req.audit('user.deactivate', 'user', target.id, { username: target.username });
    });
    return { ok: true as const };
  });
};

export default usersRoutes;
