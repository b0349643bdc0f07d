/**
 * Durability: stop the server mid-conference, start a new one on the same
 * database and port; the clients reconnect on their own, re-join, and get a
 * snapshot equal to the one before the restart.
 */
import { afterEach, expect, it } from 'vitest';
import { buildTestApp, nextEvent, request, type TestApp } from '../../helpers/app.ts';
import { cmd, demo, join, okData, stable, type JoinSnapshot, type Member } from './helpers.ts';

let apps: TestApp[] = [];
const members: Member[] = [];
afterEach(async () => {
  for (const m of members.splice(0)) m.socket.close();
  for (const a of apps.splice(0).reverse()) await a.close();
});

it('survives a restart: clients reconnect and the snapshot is unchanged', { timeout: 120_000 }, async () => {
  const first = await buildTestApp();
  apps.push(first);
  await first.listen();
  const d = demo(first);
  const M = d.meetingId;
  for (const u of ['vanphong', 'cau.991', 'daibieu01', 'daibieu12']) members.push(await join(first, u, M, { reconnection: true }));
  const [chair, op, del1, del2] = members as [Member, Member, Member, Member];

  // Every kind of state: live meeting, second item with a running, extended
  // timer, a speaker mid-speech, a queue, presence and an open roll-call.
  const items = chair.snapshot.agenda.items;
  okData(await cmd(chair, 'meeting:start', M));
  okData(await cmd(chair, 'agenda:set-current', M, { itemId: items[1]!.id }));
  okData(await cmd(chair, 'timer:start', M));
  okData(await cmd(chair, 'timer:extend', M, { minutes: 3 }));
  const r1 = okData(await cmd<{ id: number }>(del1, 'floor:request', M, { topic: 'Ý kiến 1' }));
  okData(await cmd(op, 'floor:request', M));
  okData(await cmd(del2, 'floor:request', M, { topic: 'Ý kiến 3' }));
  okData(await cmd(chair, 'floor:grant', M, { requestId: r1.id, limitSeconds: 3600 }));
  okData(await cmd(op, 'presence:set-bridge', M, { status: 'degraded', delegatesPresent: 11 }));
  okData(await cmd(del2, 'presence:set-delegate', M, { status: 'present_in_person' }));
  okData(await cmd(chair, 'presence:set-delegate', M, { userId: d.userId('daibieu03'), status: 'absent', reason: 'Đi công tác' }));
  okData(await cmd(chair, 'rollcall:start', M));
  okData(await cmd(op, 'rollcall:confirm', M, { delegatesPresent: 12 }));

  const before = okData(await request<JoinSnapshot>(chair.socket, 'meeting:join', { meetingId: M }));
  expect(before.floor.speaker).not.toBeNull();
  expect(before.agenda.timer!.status).toBe('running');
  const port = Number(new URL(first.url).port);

  // Each client re-joins whenever it gets a fresh (non-recovered) connection, as the web client does.
  const rejoined = members.map(
    (m) =>
      new Promise<JoinSnapshot>((resolve, reject) => {
        m.socket.once('connect', () => {
          request<JoinSnapshot>(m.socket, 'meeting:join', { meetingId: M }).then((a) => resolve(okData(a)), reject);
        });
      }),
  );
  const dropped = members.map((m) => nextEvent(m.socket, 'disconnect').catch(() => null));
  await first.close({ keepData: true });
  apps = [];
  await Promise.all(dropped);
  expect(members.every((m) => !m.socket.connected)).toBe(true);

  const second = await buildTestApp({ dataDir: first.dataDir });
  apps.push(second);
  await second.app.listen({ host: '127.0.0.1', port });

  const after = await Promise.all(rejoined);
  expect(members.every((m) => m.socket.connected)).toBe(true);
  const chairAfter = after[0]!;
  expect(chairAfter.version).toBe(before.version);
  expect(stable(chairAfter.meeting)).toEqual(stable(before.meeting));
  expect(stable(chairAfter.agenda)).toEqual(stable(before.agenda));
  expect(stable(chairAfter.floor)).toEqual(stable(before.floor));
  expect(stable(chairAfter.presence)).toEqual(stable(before.presence));
  // The timer kept its start instant, so it went on counting across the restart.
  expect(chairAfter.agenda.timer!.runningSince).toBe(before.agenda.timer!.runningSince);
  expect(chairAfter.agenda.timer!.elapsedMs).toBeGreaterThanOrEqual(before.agenda.timer!.elapsedMs);
  expect(chairAfter.floor.speaker!.endsAt).toBe(before.floor.speaker!.endsAt);

  // And the room works on: the next command is applied and broadcast to the reconnected clients.
  const seen = nextEvent<{ floor: { speaker: null | object; queue: unknown[] } }>(del2.socket, 'floor:queue-changed');
  okData(await cmd(chair, 'floor:revoke', M));
  expect((await seen).floor).toMatchObject({ speaker: null, queue: [expect.anything(), expect.anything()] });
});
