/**
 * Presence at scale: a check-in writes its own row, not the meeting's state
 * document; what was acked survives a crash image of the database; the
 * in-memory room follows invitation and name changes made behind its back.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { cmd, demo, join as joinMeeting, okData, stable, type Member } from './helpers.ts';

const apps: TestApp[] = [];
const members: Member[] = [];
afterEach(async () => {
  for (const m of members.splice(0)) m.socket.close();
  for (const a of apps.splice(0).reverse()) await a.close();
});

/** Invites `n` new delegates to the meeting (raw SQL: the test needs rows, not the invitation API). */
function inviteDelegates(t: TestApp, meetingId: number, n: number): number[] {
  const sql = t.app.db.$client;
  const unitId = (sql.prepare("SELECT id FROM units WHERE level = 'commune' LIMIT 1").get() as { id: number }).id;
  const addUser = sql.prepare("INSERT INTO users (username, password_hash, full_name, role, unit_id) VALUES (?, 'x', ?, 'delegate', ?) RETURNING id");
  const invite = sql.prepare('INSERT INTO meeting_delegates (meeting_id, user_id) VALUES (?, ?)');
  return sql.transaction(() =>
    Array.from({ length: n }, (_, i) => {
      const { id } = addUser.get(`scale${i}`, `Đại biểu ${i}`, unitId) as { id: number };
      invite.run(meetingId, id);
      return id;
    }),
  )();
}

const stateRow = (t: TestApp, meetingId: number) =>
  t.app.db.$client.prepare('SELECT state, updated_at AS updatedAt, version FROM conference_state WHERE meeting_id = ?').get(meetingId) as {
    state: string;
    updatedAt: number;
    version: number;
  };

/** A fresh app whose demo meeting has `n` more delegates invited, and the chair as an actor. */
async function withInvited(n: number) {
  const t = await buildTestApp();
  apps.push(t);
  const d = demo(t);
  const M = d.meetingId;
  const ids = inviteDelegates(t, M, n);
  const chair = { userId: d.userId('vanphong'), role: 'secretariat' as const, bridgePointId: null, chair: true, displayName: 'Văn phòng' };
  return { t, d, M, ids, chair };
}

it('a check-in writes one presence row and leaves the state document untouched, however many delegates', { timeout: 120_000 }, async () => {
  const { t, M, ids, chair } = await withInvited(300);
  await t.app.conference.execute(M, chair, { type: 'meeting:start' });
  const before = stateRow(t, M);
  // The document holds agenda, floor and roll-call headers only: nothing per member.
  expect(JSON.parse(before.state)).not.toHaveProperty('presence');
  expect(before.state).not.toContain('Đại biểu');

  for (const userId of ids) {
    await t.app.conference.execute(M, { userId, role: 'delegate', bridgePointId: null, chair: false, displayName: '' }, { type: 'presence:set-delegate', status: 'present_online' });
  }
  const after = stateRow(t, M);
  expect(after).toEqual(before);
  const rows = t.app.db.$client
    .prepare("SELECT count(*) AS n FROM meeting_presence WHERE meeting_id = ? AND kind = 'delegate' AND status = 'present_online'")
    .get(M) as { n: number };
  expect(rows.n).toBe(300);
  const s = await t.app.conference.state(M);
  expect(s.version).toBe(before.version + 300);
  expect(s.presence.delegates.toArray().filter((x) => x.status === 'present_online').map((x) => x.userId)).toEqual(ids);

  // Roll-call answers are rows too: opening the roll-call rewrites the (small) document, answers do not.
  await t.app.conference.execute(M, chair, { type: 'rollcall:start' });
  const opened = stateRow(t, M);
  const bridges = s.presence.bridges.slice(0, 20);
  for (const b of bridges) await t.app.conference.execute(M, chair, { type: 'rollcall:confirm', bridgePointId: b.bridgePointId, delegatesPresent: 3 });
  expect(stateRow(t, M)).toEqual(opened);
  const answers = t.app.db.$client.prepare('SELECT count(*) AS n FROM roll_call_answers WHERE meeting_id = ?').get(M) as { n: number };
  expect(answers.n).toBe(20);
  expect((await t.app.conference.state(M)).presence.rollCalls.at(-1)!.confirmations.map((c) => c.bridgePointId)).toEqual(bridges.map((b) => b.bridgePointId));
});

it('commands of one turn share a transaction: each builds on the one before, a refused one is refused alone', { timeout: 120_000 }, async () => {
  const { t, M, ids, chair } = await withInvited(300);
  await t.app.conference.submit(M, chair, { type: 'meeting:start' });
  const version = (await t.app.conference.state(M)).version;
  const commits = t.app.conference.groupCommits();
  const delegate = (userId: number) => ({ userId, role: 'delegate' as const, bridgePointId: null, chair: false, displayName: '' });
  // Every committed command is published once, after its batch commits; the refused one never.
  let published = 0;
  t.app.conference.subscribe((meetingId) => meetingId === M && published++);
  // The check-ins' answers are made in the batch (`view`), as the socket layer's are.
  const checkIns = ids.map((userId) => t.app.conference.submit(M, delegate(userId), { type: 'presence:set-delegate', status: 'present_online' }, { view: (r) => r.state.version }));
  // In the same turn: a command the machine refuses, and a correction of the first check-in.
  const refused = t.app.conference.submit(M, delegate(ids[5]!), { type: 'floor:grant', requestId: 'nope' } as never);
  const corrected = t.app.conference.submit(M, chair, { type: 'presence:set-delegate', userId: ids[0]!, status: 'absent', reason: 'Về sớm' });
  // And one whose answer cannot be made: refused alone too, its change neither kept nor published.
  const unanswerable = t.app.conference.submit(M, chair, { type: 'presence:set-delegate', userId: ids[1]!, status: 'present_in_person' }, {
    view: () => {
      throw new Error('no answer');
    },
  });
  await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
  await expect(unanswerable).rejects.toThrow('no answer');
  const acked = [...(await Promise.all(checkIns)), (await corrected).state.version];
  // Each saw the one before it: the versions count up one by one.
  expect(acked).toEqual(acked.map((_, i) => version + i + 1));
  expect(published).toBe(301);
  // A few transactions of a few ms each (more on a busy machine), not 301.
  expect(t.app.conference.groupCommits() - commits).toBeLessThanOrEqual(30);
  const rows = t.app.db.$client.prepare("SELECT count(*) AS n FROM meeting_presence WHERE meeting_id = ? AND kind = 'delegate' AND status = 'present_online'").get(M) as { n: number };
  expect(rows.n).toBe(299);
  const after = await t.app.conference.state(M);
  expect(after.version).toBe(version + 301);
  expect(after.presence.delegates.find((x) => x.userId === ids[0])).toMatchObject({ status: 'absent', reason: 'Về sớm' });
  expect(after.presence.delegates.find((x) => x.userId === ids[1])).toMatchObject({ status: 'present_online' });
});

it('acked check-ins, corrections and roll-call answers are in a crash image of the database', { timeout: 120_000 }, async () => {
  const first = await buildTestApp();
  apps.push(first);
  await first.listen();
  const d = demo(first);
  const M = d.meetingId;
  for (const u of ['vanphong', 'cau.991', 'cau.99101', 'daibieu01', 'daibieu12']) members.push(await joinMeeting(first, u, M));
  const [chair, op1, op2, del1, del2] = members as [Member, Member, Member, Member, Member];
  okData(await cmd(chair, 'meeting:start', M));
  okData(await cmd(del1, 'presence:set-delegate', M, { status: 'present_online' }));
  okData(await cmd(del2, 'presence:set-delegate', M, { status: 'present_in_person' }));
  okData(await cmd(chair, 'presence:set-delegate', M, { userId: d.userId('daibieu03'), status: 'absent', reason: 'Ốm' }));
  okData(await cmd(op1, 'presence:set-bridge', M, { status: 'degraded', delegatesPresent: 7 }));
  okData(await cmd(chair, 'rollcall:start', M));
  okData(await cmd(op1, 'rollcall:confirm', M, { delegatesPresent: 8 }));
  okData(await cmd(op2, 'rollcall:confirm', M, { delegatesPresent: 4 }));
  // A correction: op1's answer moves after op2's, as the machine orders it.
  okData(await cmd(op1, 'rollcall:confirm', M, { delegatesPresent: 9 }));
  const acked = await first.app.conference.state(M);

  // Copy the database while the server still runs, as a kill -9 would leave it (WAL included).
  const image = mkdtempSync(join(tmpdir(), 'diemcau-crash-'));
  cpSync(first.dataDir, image, { recursive: true });
  const second = await buildTestApp({ dataDir: image });
  apps.push(second);
  const recovered = await second.app.conference.state(M);
  expect(recovered.version).toBe(acked.version);
  expect(stable(recovered.presence)).toEqual(stable(acked.presence));
  expect(recovered.presence.rollCalls.at(-1)!.confirmations.map((c) => [c.bridgePointId, c.delegatesPresent])).toEqual([
    [d.bridgeOf('cau.99101'), 4],
    [d.bridgeOf('cau.991'), 9],
  ]);
  expect(recovered.presence.delegates.find((x) => x.userId === d.userId('daibieu03'))).toMatchObject({ status: 'absent', reason: 'Ốm' });
});

it('follows invitations and names changed behind its back', { timeout: 120_000 }, async () => {
  const t = await buildTestApp();
  apps.push(t);
  const d = demo(t);
  const M = d.meetingId;
  const n0 = (await t.app.conference.state(M)).presence.delegates.size;
  const [id] = inviteDelegates(t, M, 1);
  expect((await t.app.conference.state(M)).presence.delegates.size).toBe(n0 + 1);
  t.app.db.$client.prepare('UPDATE users SET full_name = ? WHERE id = ?').run('Tên mới', id);
  expect((await t.app.conference.state(M)).presence.delegates.find((x) => x.userId === id)!.fullName).toBe('Tên mới');
  t.app.db.$client.prepare('DELETE FROM meeting_delegates WHERE meeting_id = ? AND user_id = ?').run(M, id);
  expect((await t.app.conference.state(M)).presence.delegates.size).toBe(n0);
});
