/**
 * Seeds a bench's voters into a built app: `n` delegates spread over the demo's bridge points,
 * invited to the demo meeting, each with a live session token. Sessions are written directly
 * (the auth service's token hashing): logging thousands of users in through scrypt would take
 * minutes and measure nothing the benches are about.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { App } from '../../server/src/app.ts';
import { bridgePoints, meetingDelegates, meetings, sessions, users } from '../../server/src/db/schema.ts';

export function seedBenchDelegates(app: App, n: number) {
  const db = app.db;
  const meeting = db.select().from(meetings).get()!;
  const bridges = db.select().from(bridgePoints).all();
  const chair = db.select().from(users).all().find((u) => u.username === 'vanphong')!;
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const session = (userId: number) => {
    const token = randomBytes(32).toString('base64url');
    db.insert(sessions).values({ id: createHash('sha256').update(token).digest('base64url'), userId, expiresAt }).run();
    return token;
  };
  const ids: number[] = [];
  db.transaction((tx) => {
    for (let i = 0; i < n; i++) {
      const bp = bridges[i % bridges.length]!;
      const id = tx
        .insert(users)
        .values({ username: `bench${String(i).padStart(5, '0')}`, passwordHash: 'disabled', fullName: `Đại biểu ${i}`, role: 'delegate', unitId: bp.unitId, homeBridgePointId: bp.id })
        .returning({ id: users.id })
        .get().id;
      tx.insert(meetingDelegates).values({ meetingId: meeting.id, userId: id, bridgePointId: bp.id }).run();
      ids.push(id);
    }
  });
  return { db, meeting, bridges, chair, session, ids, tokens: ids.map(session) };
}
