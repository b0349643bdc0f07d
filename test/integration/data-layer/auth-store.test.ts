/**
 * Sessions and the audit chain on the async data layer, on the engine of this run (SQLite in the
 * main suite, PostgreSQL in the second pass): a login's session resolves to its user with province
 * and bridge point, the live-session sweep answers in chunks, ended sessions are noticed only once
 * their transaction committed, a QR session is confined and locked until its PIN; the audit chain
 * appends, seals rows from before the chain, verifies and pages. (test/integration/auth and
 * test/integration/audit cover the same through the app.)
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/src/db/database.ts';
import { createAuthService, type AuthService, type AuthUser } from '../../../server/src/modules/auth/auth.service.ts';
import { hashPassword } from '../../../server/src/modules/auth/password.ts';
import { listAudit } from '../../../server/src/modules/audit/audit.repo.ts';
import { appendAudit, sealLegacyAudit, verifyAudit } from '../../../server/src/modules/audit/audit.store.ts';
import { assertHomeBridge, homeBridgeOfUnit } from '../../../server/src/modules/users/home-bridge.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

const PASSWORD = 'Sông Hồng chảy về biển 2030';
let tdb: TestDatabase;
let db: Database;
let auth: AuthService;
const ids: Record<string, number> = {};
const ended: ((u: AuthUser) => boolean)[] = [];

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  const passwordHash = await hashPassword(PASSWORD);
  await db.run(async ({ q, t }) => {
    const [p] = await q.insert(t.units).values({ level: 'province', code: 'P1', name: 'Tỉnh Sơn Hà' }).returning();
    await q.update(t.units).set({ provinceId: p!.id }).where(eq(t.units.id, p!.id));
    const [d] = await q.insert(t.units).values({ level: 'district', code: 'P1-D1', name: 'Huyện Đông', parentId: p!.id, provinceId: p!.id }).returning();
    ids.province = p!.id;
    ids.district = d!.id;
    const user = async (username: string, role: 'delegate' | 'bridge_operator') =>
      (await q.insert(t.users).values({ username, passwordHash, fullName: username, role, unitId: d!.id }).returning({ id: t.users.id }))[0]!.id;
    ids.delegate = await user('daibieu', 'delegate');
    ids.operator = await user('kythuat', 'bridge_operator');
    const [bp] = await q.insert(t.bridgePoints).values({ unitId: d!.id, level: 'district', name: 'Điểm cầu Đông', roomName: 'dong', operatorUserId: ids.operator }).returning();
    ids.bridge = bp!.id;
    const [m] = await q
      .insert(t.meetings)
      .values({ title: 'Kỳ họp', kind: 'conference', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T05:00:00.000Z', chairUnitId: p!.id })
      .returning();
    ids.meeting = m!.id;
  });
  auth = createAuthService(db, { sessionTtlHours: 12 });
  auth.onSessionsEnded((match) => void ended.push(match));
});
afterAll(async () => {
  await tdb?.cleanup();
});

describe(`sessions on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('resolves a login token to its user, with the province and the bridge point operated', async () => {
    const { token, user } = await auth.login(' KyThuat ', PASSWORD);
    expect(user).toMatchObject({ id: ids.operator, provinceId: ids.province, bridgePointId: ids.bridge, scope: null });
    const resolved = await auth.resolveToken(token);
    expect(resolved).toMatchObject({ id: ids.operator, role: 'bridge_operator', provinceId: ids.province, bridgePointId: ids.bridge, sessionId: user.sessionId, scope: null });
    expect(resolved!.sessionExpiresAt).toBe(user.sessionExpiresAt);
    await expect(auth.login('kythuat', 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(await auth.resolveToken('not a token')).toBeNull();
    await auth.logout(token);
    expect(await auth.resolveToken(token)).toBeNull();
    expect(ended.at(-1)!(user)).toBe(true);
  });

  it('answers which of many sessions are live, past one query’s chunk', async () => {
    const a = await auth.login('daibieu', PASSWORD);
    const b = await auth.login('kythuat', PASSWORD);
    const unknown = Array.from({ length: 1500 }, () => randomBytes(32).toString('base64url'));
    const asked = [...unknown.slice(0, 1200), a.user.sessionId!, ...unknown.slice(1200), b.user.sessionId!];
    expect(await auth.liveSessionIds(asked)).toEqual(new Set([a.user.sessionId, b.user.sessionId]));
    expect(await auth.isSessionLive(a.user.sessionId)).toBe(true);
    // A disabled account's sessions are dead at once, before anyone deletes them.
    await db.run(({ q, t }) => q.update(t.users).set({ active: false }).where(eq(t.users.id, ids.delegate!)));
    expect(await auth.liveSessionIds(asked)).toEqual(new Set([b.user.sessionId]));
    expect(await auth.isSessionLive(a.user.sessionId)).toBe(false);
    await db.run(({ q, t }) => q.update(t.users).set({ active: true }).where(eq(t.users.id, ids.delegate!)));
  });

  it('ends a user’s sessions in the caller’s transaction and notices the connections only when told', async () => {
    const { token, user } = await auth.login('daibieu', PASSWORD);
    const before = ended.length;
    await expect(
      db.tx(async (s) => {
        await auth.logoutAll(s, ids.delegate!);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await auth.resolveToken(token)).not.toBeNull();
    const notice = await db.tx((s) => auth.logoutAll(s, ids.delegate!));
    expect(ended.length).toBe(before);
    expect(await auth.resolveToken(token)).toBeNull();
    notice();
    expect(ended.at(-1)!(user)).toBe(true);
  });

  it('confines a QR session to its meeting, locks voting until the PIN, and ends it with its code', async () => {
    await auth.setPin({ id: ids.delegate } as AuthUser, PASSWORD, '482915');
    const scope = { meetingId: ids.meeting!, qrJti: 'jti-1' };
    const { token } = await db.run((s) => auth.openQrSession(s, ids.delegate!, scope, new Date(Date.now() + 3600_000)));
    const user = (await auth.resolveToken(token))!;
    expect(user.scope).toEqual(scope);
    expect(await auth.pinStatus(user)).toEqual({ required: true, pinSet: true });
    await expect(auth.assertMayVote(user)).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    await expect(auth.enterPin(user, '000000')).rejects.toMatchObject({ code: 'PIN_INVALID' });
    expect(await auth.enterPin(user, '482915')).toEqual({ unlocked: true });
    await auth.assertMayVote(user);
    expect(await auth.pinStatus(user)).toEqual({ required: false, pinSet: true });
    await auth.endQrSessions('jti-1');
    expect(await auth.resolveToken(token)).toBeNull();
    expect(ended.at(-1)!(user)).toBe(true);
  });

  it('finds a delegate’s home bridge point in the province only', async () => {
    expect(await db.run((s) => homeBridgeOfUnit(s, ids.district!))).toBe(ids.bridge);
    expect(await db.run((s) => homeBridgeOfUnit(s, ids.province!))).toBeNull();
    await db.run((s) => assertHomeBridge(s, ids.bridge!, ids.province!));
    await expect(db.run((s) => assertHomeBridge(s, ids.bridge!, ids.province! + 1000))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe(`audit chain on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('seals rows from before the chain, appends after them, verifies and pages newest first', async () => {
    await db.run(async ({ q, t }) => {
      for (let i = 0; i < 3; i++) await q.insert(t.auditLog).values({ action: 'legacy', targetType: 'x', details: { i } });
    });
    expect((await db.run(verifyAudit)).ok).toBe(false);
    expect(await db.tx(sealLegacyAudit)).toBe(3);
    expect(await db.tx(sealLegacyAudit)).toBe(0);
    await db.tx(async (s) => {
      await appendAudit(s, { actorUserId: ids.delegate!, action: 'test.a', targetType: 'user', targetId: ids.delegate!, details: { skip: undefined, n: 1 } });
      await appendAudit(s, { actorUserId: null, action: 'test.b', targetType: 'x' });
    });
    const v = await db.run(verifyAudit);
    expect(v).toMatchObject({ ok: true, length: 5, firstBroken: null });
    const page = await db.run((s) => listAudit(s, { limit: 2 }));
    expect(page.total).toBe(5);
    expect(page.items.map((e) => e.action)).toEqual(['test.b', 'test.a']);
    expect(page.items[0]!.hash).toBe(v.head);
    const mine = await db.run((s) => listAudit(s, { actorUserId: ids.delegate!, targetType: 'user' }));
    expect(mine).toMatchObject({ total: 1, items: [{ action: 'test.a', details: { n: 1 }, targetId: String(ids.delegate) }] });
  });

  it('reports a row inserted around the chain, and does not seal it', async () => {
    await db.run(({ q, t }) => q.insert(t.auditLog).values({ action: 'forged', targetType: 'x' }));
    expect(await db.tx(sealLegacyAudit)).toBe(0);
    expect((await db.run(verifyAudit)).firstBroken).toMatchObject({ seq: null, action: 'forged' });
  });
});
