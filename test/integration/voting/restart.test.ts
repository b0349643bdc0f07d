import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { dbFile } from '../../../server/src/db/index.ts';
import type { PollResult, PollView } from '../../../shared/src/index.ts';
import { nextEvent, request } from '../../helpers/app.ts';
import { pgUrl } from '../../helpers/database.ts';
import { cast, expectError, join, liveRoom, okData, type Room } from './helpers.ts';
import { WAIT_MS } from '../../../scripts/lib/until.ts';

let room: Room | null = null;
let dataDir: string | null = null;
afterEach(async () => {
  await room?.close();
  room = null;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

/**
 * Simulates a crash: copies the database and its WAL as they are on disk right
 * now (nothing is flushed or checkpointed first), drops the old app, and starts
 * a new one on the copy, keeping everyone's session tokens.
 */
async function crashAndRestart(prev: Room, names: string[]): Promise<Room> {
  const tokens = new Map(prev.members.map((m) => [m.username, m.token]));
  const image = mkdtempSync(pathJoin(tmpdir(), 'diemcau-crash-'));
  const from = dbFile(prev.t.dataDir);
  const to = dbFile(image);
  for (const suffix of ['', '-wal']) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
  await prev.close();
  dataDir = image;
  const { buildTestApp } = await import('../../helpers/app.ts');
  const t = await buildTestApp({ dataDir: image });
  await t.listen();
  const chair = await join(t, 'vanphong', prev.meetingId, tokens.get('vanphong'));
  const present = await Promise.all(names.map((n) => join(t, n, prev.meetingId, tokens.get(n))));
  const next: Room = { ...prev, t, chair, present, members: [chair, ...present] };
  next.close = async (opts) => {
    for (const m of next.members) m.socket.close();
    await t.close(opts);
  };
  return next;
}

// SQLite only: a crash is a copy of SQLite's files, a restart reopens the app's data directory. On
// PostgreSQL, restoring open polls from the database is covered by test/integration/data-layer/voting-store.test.ts.
describe.skipIf(pgUrl() !== null)('voting across a restart', () => {
  it('loses no acked ballot when the server crashes mid-poll, and still refuses a second vote', async () => {
    const names = ['daibieu01', 'daibieu02', 'daibieu03', 'daibieu11'];
    room = await liveRoom(names);
    dataDir = room.t.dataDir;
    const poll = await room.create({ mode: 'secret', quorum: { num: 1, den: 20, inclusive: false } });
    await room.open(poll.id);
    const [d1, d2, d3] = room.present as [any, any, any];
    // Acked ballots, then the server dies: only what is on disk at that instant survives.
    okData(await cast(d1, poll.id, ['yes']));
    okData(await cast(d2, poll.id, ['no']));
    okData(await cast(d3, poll.id, ['yes']));
    room = await crashAndRestart(room, names);
    const [r1, , , r11] = room.present as [any, any, any, any];
    expect(r1.snapshot.poll).toMatchObject({ poll: { id: poll.id, status: 'open' }, voted: true, turnout: { voted: 3, eligible: 4 } });
    expectError(await cast(r1, poll.id, ['no']), 'ALREADY_VOTED');
    okData(await cast(r11, poll.id, ['abstain']));
    const { result } = okData(await request<{ result: PollResult }>(room.chair.socket, 'poll:close', { pollId: poll.id }));
    expect(result.options.map((o) => o.votes)).toEqual([2, 1, 1]);
    expect(result.voted).toBe(4);
    const v = await room.t.app.inject({ url: `/api/polls/${poll.id}/verify`, headers: { authorization: `Bearer ${r1.token}` } });
    expect(v.json()).toMatchObject({ ok: true });
  });

  it('closes a countdown poll on time while running, and one whose deadline passed while the server was down', async () => {
    const names = ['daibieu01', 'daibieu02'];
    room = await liveRoom(names);
    dataDir = room.t.dataDir;
    const [d1] = room.present as [any];
    // Running: the countdown closes it and every screen gets the result.
    const quick = await room.create({ durationSeconds: 5, title: 'Có đếm ngược' });
    const opened = await room.open(quick.id);
    okData(await cast(d1, quick.id, ['yes']));
    const closed = await nextEvent<{ poll: PollView; result: PollResult }>(d1.socket, 'poll:closed', 5_000 + WAIT_MS);
    expect(closed.poll).toMatchObject({ id: quick.id, status: 'closed', closedAt: opened.closesAt });
    expect(closed.result.voted).toBe(1);

    // Down across the deadline: it closes on start, dated at its deadline.
    const slow = await room.create({ durationSeconds: 5, title: 'Qua khởi động lại' });
    const o2 = await room.open(slow.id);
    okData(await cast(d1, slow.id, ['no']));
    const tokens = new Map(room.members.map((m) => [m.username, m.token]));
    await room.close({ keepData: true });
    room = null;
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(o2.closesAt!) - Date.now()) + 200));
    const { buildTestApp } = await import('../../helpers/app.ts');
    const t = await buildTestApp({ dataDir });
    await t.listen();
    const m = await join(t, 'daibieu01', o2.meetingId, tokens.get('daibieu01'));
    room = { t, meetingId: o2.meetingId, chair: m, present: [m], members: [m], close: async (opts) => { m.socket.close(); await t.close(opts); }, create: null as never, open: null as never };
    const snap = m.snapshot.poll as { poll: PollView; result: PollResult };
    expect(snap.poll).toMatchObject({ id: slow.id, status: 'closed', closedAt: o2.closesAt });
    expect(snap.result.options.map((o) => o.votes)).toEqual([0, 1, 0]);
    expectError(await cast(m, slow.id, ['yes']), 'POLL_CLOSED');
  }, 20_000);
});
