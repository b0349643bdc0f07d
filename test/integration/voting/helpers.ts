/** Set-up for the voting integration tests: a live seeded meeting with delegates marked present. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Ack, PollCreate, PollView } from '../../../shared/src/index.ts';
import { buildTestApp, connect, login, request, type TestApp, type TestSocket } from '../../helpers/app.ts';

export interface Member {
  username: string;
  userId: number;
  token: string;
  socket: TestSocket;
  snapshot: Record<string, unknown> & { poll?: unknown };
}

export function okData<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok ack, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

export function expectError(ack: Ack<unknown>, code: string): void {
  expect(ack.ok, JSON.stringify(ack)).toBe(false);
  if (!ack.ok) expect(ack.error.code).toBe(code);
}

export const meetingIdOf = (t: TestApp) => (t.app.db.$client.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
export const userIdOf = (t: TestApp, username: string) =>
  (t.app.db.$client.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id;

/** Logs in (or reuses `token`), connects and joins the meeting. */
export async function join(t: TestApp, username: string, meetingId: number, token?: string): Promise<Member> {
  const tok = token ?? (await login(t.app, username));
  const socket = await connect(t.url, tok);
  const snapshot = okData(await request<Member['snapshot']>(socket, 'meeting:join', { meetingId }));
  return { username, userId: userIdOf(t, username), token: tok, socket, snapshot };
}

export interface Room {
  t: TestApp;
  meetingId: number;
  chair: Member;
  /** Delegates who joined and checked in as present. */
  present: Member[];
  members: Member[];
  close(opts?: { keepData?: boolean }): Promise<void>;
  create(input: Partial<PollCreate>): Promise<PollView>;
  open(pollId: number): Promise<PollView>;
}

/**
 * Starts the seeded meeting and checks `presentNames` in (presence:set-delegate),
 * so they are eligible when a poll opens. `others` join without checking in.
 */
export async function liveRoom(presentNames: string[], others: string[] = [], dataDir?: string): Promise<Room> {
  const t = await buildTestApp(dataDir ? { dataDir } : {});
  await t.listen();
  const meetingId = meetingIdOf(t);
  const chair = await join(t, 'vanphong', meetingId);
  const started = await request(chair.socket, 'meeting:start', { meetingId });
  if (!started.ok && started.error.code !== 'ILLEGAL_TRANSITION') okData(started);
  const present = await Promise.all(presentNames.map((n) => join(t, n, meetingId)));
  for (const m of present) okData(await request(m.socket, 'presence:set-delegate', { meetingId, status: 'present_online' }));
  const rest = await Promise.all(others.map((n) => join(t, n, meetingId)));
  const members = [chair, ...present, ...rest];
  const room: Room = {
    t,
    meetingId,
    chair,
    present,
    members,
    async close(opts) {
      for (const m of room.members) m.socket.close();
      await t.close(opts);
    },
    async create(input) {
      const payload = { agendaItemId: null, title: 'Thông qua Nghị quyết', kind: 'approval', mode: 'open', majority: 'simple', ...input };
      return okData(await request<PollView>(chair.socket, 'poll:create', payload));
    },
    async open(pollId) {
      return okData(await request<PollView>(chair.socket, 'poll:open', { pollId }));
    },
  };
  return room;
}

/** Casts a ballot; a fresh device ballot id unless `ballotId` is given (a retry or a change). */
export const cast = (m: Member, pollId: number, choices: string[], ballotId: string = randomUUID()) =>
  request<{ pollId: number; receipt: string | null; changed: boolean }>(m.socket, 'vote:cast', { pollId, choices, ballotId });

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
