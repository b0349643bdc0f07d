/** Shared set-up for the conference room integration tests (seeded demo province). */
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Ack, Snapshot } from '@diemcau/shared';
import { bridgePoints, meetingDelegates, meetings, units, users } from '../../../server/src/db/schema.ts';
import { connect, login, request, type TestApp, type TestSocket } from '../../helpers/app.ts';

export interface Demo {
  meetingId: number;
  /** A meeting of the same province nobody is invited to. */
  otherMeetingId: number;
  userId(username: string): number;
  bridgeOf(username: string): number;
  /** Bridge a delegate sits at in the seeded meeting. */
  seatOf(username: string): number | null;
}

export function demo(t: TestApp): Demo {
  const db = t.app.db;
  const m = db.select().from(meetings).get()!;
  const province = db.select().from(units).where(eq(units.level, 'province')).get()!;
  let other = db.select().from(meetings).where(eq(meetings.title, 'Cuộc họp không mời')).get();
  other ??= db
    .insert(meetings)
    .values({ title: 'Cuộc họp không mời', kind: 'briefing', startsAt: m.startsAt, endsAt: m.endsAt, status: 'scheduled', chairUnitId: province.id })
    .returning()
    .get();
  const userId = (username: string) => db.select().from(users).where(eq(users.username, username)).get()!.id;
  return {
    meetingId: m.id,
    otherMeetingId: other.id,
    userId,
    bridgeOf: (username) => db.select().from(bridgePoints).where(eq(bridgePoints.operatorUserId, userId(username))).get()!.id,
    seatOf: (username) =>
      db.select().from(meetingDelegates).where(eq(meetingDelegates.userId, userId(username))).get()?.bridgePointId ?? null,
  };
}

/** Asserts an ack succeeded and returns its data. */
export function okData<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok ack, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/** Asserts an ack failed with `code`. */
export function expectError(ack: Ack<unknown>, code: string): void {
  expect(ack.ok, JSON.stringify(ack)).toBe(false);
  if (!ack.ok) {
    expect(ack.error.code).toBe(code);
    expect(typeof ack.error.message).toBe('string');
  }
}

export type JoinSnapshot = Snapshot & { meetingId: number; serverTime: number };

export interface Member {
  username: string;
  socket: TestSocket;
  snapshot: JoinSnapshot;
}

/** Logs in, connects and joins the meeting. */
export async function join(t: TestApp, username: string, meetingId: number, opts: { reconnection?: boolean } = {}): Promise<Member> {
  const token = await login(t.app, username);
  const socket = await connect(t.url, token, opts);
  const snapshot = okData(await request<JoinSnapshot>(socket, 'meeting:join', { meetingId }));
  return { username, socket, snapshot };
}

/** Sends a conference command for `meetingId` and returns its ack. */
export const cmd = <T = unknown>(m: Member, event: string, meetingId: number, payload: Record<string, unknown> = {}) =>
  request<T>(m.socket, event, { meetingId, ...payload });

/**
 * Removes what legitimately differs between two snapshots of the same state
 * taken at different instants: the clock and values derived from it.
 */
export function stable(s: unknown): unknown {
  const DERIVED = new Set(['serverNow', 'serverTime', 'elapsedMs', 'remainingMs', 'overtime', 'overtimeMs']);
  return JSON.parse(JSON.stringify(s), (k, v) => (DERIVED.has(k) ? undefined : v));
}
