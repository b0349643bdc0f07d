/**
 * Seeds a bench's voters into a built app: `n` delegates spread over the demo's bridge points,
 * invited to the demo meeting, each with a live session token. Sessions are written directly
 * (the auth service's token hashing): logging thousands of users in through scrypt would take
 * minutes and measure nothing the benches are about. On the async data layer, so a bench runs on
 * either engine; the rows go in with a few bulk INSERTs in one transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import type { App } from '../../server/src/app.ts';
import { insertMany } from '../../server/src/db/bulk-insert.ts';

export async function seedBenchDelegates(app: App, n: number) {
  const database = app.database;
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const newSession = (userId: number) => {
    const token = randomBytes(32).toString('base64url');
    return { token, row: { id: createHash('sha256').update(token).digest('base64url'), userId, expiresAt } };
  };
  /** A live session token for one more user (an operator, the chair). */
  const session = async (userId: number) => {
    const { token, row } = newSession(userId);
    await database.run(({ q, t }) => q.insert(t.sessions).values(row));
    return token;
  };
  const seeded = await database.tx(async (s) => {
    const { q, t } = s;
    const [meeting] = await q.select().from(t.meetings).orderBy(asc(t.meetings.id)).limit(1);
    const bridges = await q.select().from(t.bridgePoints).orderBy(asc(t.bridgePoints.id));
    const [chair] = await q.select().from(t.users).where(eq(t.users.username, 'vanphong'));
    const seats = Array.from({ length: n }, (_, i) => ({ username: `bench${String(i).padStart(5, '0')}`, bp: bridges[i % bridges.length]! }));
    await insertMany(
      s,
      t.users,
      seats.map(({ username, bp }, i) => ({ username, passwordHash: 'disabled', fullName: `Đại biểu ${i}`, role: 'delegate' as const, unitId: bp.unitId, homeBridgePointId: bp.id })),
    );
    const idOf = new Map((await q.select({ id: t.users.id, username: t.users.username }).from(t.users).where(inArray(t.users.username, seats.map((x) => x.username)))).map((u) => [u.username, u.id]));
    const ids = seats.map((x) => idOf.get(x.username)!);
    await insertMany(s, t.meetingDelegates, seats.map(({ bp }, i) => ({ meetingId: meeting!.id, userId: ids[i]!, bridgePointId: bp.id })));
    const sessions = ids.map(newSession);
    await insertMany(s, t.sessions, sessions.map((x) => x.row));
    return { meeting: meeting!, bridges, chair: chair!, ids, tokens: sessions.map((x) => x.token) };
  });
  return { ...seeded, session };
}
