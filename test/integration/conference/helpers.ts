/** Shared set-up for the conference room integration tests (seeded demo province). */
import { expect } from 'vitest';
import type { Ack, Snapshot } from '@diemcau/shared';
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
  // Raw SQL on the app's own connection: the tests need a few ids, not a query builder.
  const sql = t.app.db.$client;
  const one = <T>(q: string, ...args: unknown[]) => sql.prepare(q).get(...args) as T | undefined;
  const m = one<{ id: number; starts_at: string; ends_at: string; chair_unit_id: number }>('SELECT * FROM meetings ORDER BY id LIMIT 1')!;
  const title = 'Cuộc họp không mời';
  let other = one<{ id: number }>('SELECT id FROM meetings WHERE title = ?', title);
  other ??= one<{ id: number }>(
    `INSERT INTO meetings (title, kind, starts_at, ends_at, status, chair_unit_id) VALUES (?, 'briefing', ?, ?, 'scheduled', ?) RETURNING id`,
    title,
    m.starts_at,
    m.ends_at,
    m.chair_unit_id,
  )!;
  const userId = (username: string) => one<{ id: number }>('SELECT id FROM users WHERE username = ?', username)!.id;
  return {
    meetingId: m.id,
    otherMeetingId: other.id,
    userId,
    bridgeOf: (username) => one<{ id: number }>('SELECT id FROM bridge_points WHERE operator_user_id = ?', userId(username))!.id,
    seatOf: (username) =>
      one<{ bp: number | null }>('SELECT bridge_point_id AS bp FROM meeting_delegates WHERE user_id = ? AND meeting_id = ?', userId(username), m.id)?.bp ?? null,
  };
}

/** The meeting's status as stored. */
export const meetingStatus = (t: TestApp, id: number) =>
  (t.app.db.$client.prepare('SELECT status FROM meetings WHERE id = ?').get(id) as { status: string }).status;

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
