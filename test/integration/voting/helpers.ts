/**
 * Set-up for the voting integration tests: a live seeded meeting with delegates marked present.
 * Fixtures and assertions go through the async data layer (`app.database`), so the tests run on
 * the engine of the run: SQLite, or PostgreSQL in the second pass.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Ack, PollCreate, PollView } from '../../../shared/src/index.ts';
import type { Store } from '../../../server/src/db/database.ts';
import { selectRaw } from '../../../server/src/db/dialect.ts';
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

/** Runs `fn` on the app's database (outside a transaction). */
export const dbRun = <T>(t: TestApp, fn: (s: Store) => Promise<T>): Promise<T> => t.app.database.run(fn);

export const meetingIdOf = (t: TestApp) =>
  dbRun(t, async ({ q, t: db }) => (await q.select({ id: db.meetings.id }).from(db.meetings).orderBy(asc(db.meetings.id)).limit(1))[0]!.id);
export const userIdOf = (t: TestApp, username: string) =>
  dbRun(t, async ({ q, t: db }) => (await q.select({ id: db.users.id }).from(db.users).where(eq(db.users.username, username)))[0]!.id);
/** The bridge point that `username` operates. */
export const bridgeOf = (t: TestApp, username: string) =>
  dbRun(t, async ({ q, t: db }) => {
    const [bp] = await q.select({ id: db.bridgePoints.id }).from(db.bridgePoints).innerJoin(db.users, eq(db.users.id, db.bridgePoints.operatorUserId)).where(eq(db.users.username, username));
    return bp!.id;
  });

/** A table's column names, sorted, as the database has them. */
export const columnsOf = (t: TestApp, table: string) =>
  dbRun(t, async (s) => {
    const query = s.dialect === 'postgres' ? sql`select column_name as name from information_schema.columns where table_name = ${table}` : sql`select name from pragma_table_info(${table})`;
    return (await selectRaw<{ name: string }>(s, query)).map((c) => c.name).sort();
  });

/** The tables a table's foreign keys point at, sorted. */
export const foreignTablesOf = (t: TestApp, table: string) =>
  dbRun(t, async (s) => {
    const query =
      s.dialect === 'postgres'
        ? sql`select u.table_name as "table" from information_schema.table_constraints c join information_schema.constraint_column_usage u on u.constraint_name = c.constraint_name where c.table_name = ${table} and c.constraint_type = 'FOREIGN KEY'`
        : sql`select "table" from pragma_foreign_key_list(${table})`;
    return (await selectRaw<{ table: string }>(s, query)).map((f) => f.table).sort();
  });

/** Logs in (or reuses `token`), connects and joins the meeting. */
export async function join(t: TestApp, username: string, meetingId: number, token?: string): Promise<Member> {
  const tok = token ?? (await login(t.app, username));
  const socket = await connect(t.url, tok);
  const snapshot = okData(await request<Member['snapshot']>(socket, 'meeting:join', { meetingId }));
  return { username, userId: await userIdOf(t, username), token: tok, socket, snapshot };
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
  const meetingId = await meetingIdOf(t);
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
