/**
 * The conference room's repositories on the async data layer, on the engine of this run (SQLite in
 * the main suite, PostgreSQL in the second pass): what a run of commands writes reads back as the
 * same state, check-ins group-committed with a refused command keep theirs, the roster epoch moves
 * with the invitations, a running speech is found through its JSON field, and the floor log keeps
 * its order. (test/integration/conference covers the service through the app.)
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Store } from '../../../server/src/db/database.ts';
import { GroupCommit } from '../../../server/src/db/group-commit.ts';
import { applyCommand, type Actor, type ConferenceCommand, type ConferenceEvent, type ConferenceState } from '../../../server/src/modules/conference/conference.machine.ts';
import { appendFloorLog, listFloorLog, loadAgendaRefs, loadRoster, meetingsWithSpeaker } from '../../../server/src/modules/conference/conference.repo.ts';
import type { FloorEvent } from '../../../server/src/modules/conference/floor.machine.ts';
import { syncRoster } from '../../../server/src/modules/conference/presence.machine.ts';
import { loadState, rosterEpoch, saveChanges } from '../../../server/src/modules/conference/presence.repo.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

let tdb: TestDatabase;
let db: Database;
let meetingId = 0;
let otherMeetingId = 0;
let chairId = 0;
const delegates: number[] = [];
const bridges: number[] = [];

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  await db.tx(async ({ q, t }) => {
    const [prov] = await q.insert(t.units).values({ level: 'province', code: 'SH', name: 'Tỉnh Sơn Hà' }).returning();
    const [dist] = await q.insert(t.units).values({ level: 'district', code: 'SH-01', name: 'Huyện Một', parentId: prov!.id, provinceId: prov!.id }).returning();
    const [chair] = await q.insert(t.users).values({ username: 'chair', passwordHash: 'x', fullName: 'Văn phòng', role: 'secretariat', unitId: prov!.id }).returning();
    chairId = chair!.id;
    for (const [i, unit] of [prov!, dist!].entries()) {
      const [bp] = await q.insert(t.bridgePoints).values({ unitId: unit.id, level: i ? 'district' : 'provincial', name: `Điểm cầu ${unit.name}`, roomName: 'P1' }).returning();
      bridges.push(bp!.id);
    }
    const meeting = async (title: string) => {
      const [m] = await q
        .insert(t.meetings)
        .values({ title, kind: 'conference', status: 'scheduled', startsAt: '2030-05-20T01:30:00.000Z', endsAt: '2030-05-20T05:30:00.000Z', chairUnitId: prov!.id })
        .returning();
      return m!.id;
    };
    meetingId = await meeting('Kỳ họp thứ 5');
    otherMeetingId = await meeting('Giao ban');
    for (let i = 0; i < 6; i++) {
      const [u] = await q.insert(t.users).values({ username: `d${i}`, passwordHash: 'x', fullName: `Đại biểu ${i}`, role: 'delegate', unitId: dist!.id }).returning();
      delegates.push(u!.id);
      // Even delegates sit at the district's hall; odd ones join on their own phone.
      await q.insert(t.meetingDelegates).values({ meetingId, userId: u!.id, bridgePointId: i % 2 ? null : bridges[1]! });
    }
    await q.insert(t.meetingBridgePoints).values(bridges.map((bridgePointId) => ({ meetingId, bridgePointId })));
    await q.insert(t.agendaItems).values([
      { meetingId, position: 2, title: 'Thảo luận', plannedMinutes: 30 },
      { meetingId, position: 1, title: 'Khai mạc', plannedMinutes: 10 },
    ]);
  });
});
afterAll(async () => {
  await tdb?.cleanup();
});

const chair = (): Actor => ({ userId: chairId, role: 'secretariat', bridgePointId: null, chair: true, displayName: 'Văn phòng' });
const delegate = (i: number): Actor => ({ userId: delegates[i]!, role: 'delegate', bridgePointId: i % 2 ? null : bridges[1]!, chair: false, displayName: `Đại biểu ${i}` });

/** The stored state as the service rebuilds it: rows, then names and levels from the roster. */
async function stored(s: Store, id = meetingId): Promise<ConferenceState> {
  const st = await loadState(s, id, 'scheduled');
  return { ...st, presence: syncRoster(st.presence, await loadRoster(s, id)) };
}

/** Applies a command as the service does: in `s`, writing what it changed; throws when refused. */
async function apply(s: Store, state: ConferenceState, actor: Actor, cmd: ConferenceCommand, now: number) {
  const items = await loadAgendaRefs(s, meetingId);
  const r = applyCommand(state, cmd, { now, actor, items });
  if (!r.ok) throw new Error(r.error.code);
  await saveChanges(s, meetingId, r.state, r.events, now);
  await appendFloorLog(s, meetingId, r.events.filter((e): e is FloorEvent => e.type.startsWith('floor:')));
  return r;
}

describe(`conference repositories on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  let state: ConferenceState;
  let now = 1_900_000_000_000;

  it('reads back what a run of commands wrote, rows and document alike', async () => {
    state = await db.run((s) => stored(s));
    expect(state.version).toBe(0);
    // The roster in its order: bridges by id, delegates by user id, each at the level it counts under.
    expect(state.presence.delegates.toArray().map((d) => [d.userId, d.level])).toEqual(delegates.map((u) => [u, 'district']));
    expect(state.presence.bridges.map((b) => [b.bridgePointId, b.code])).toEqual([[bridges[0], 'SH'], [bridges[1], 'SH-01']]);
    const run: [Actor, ConferenceCommand][] = [
      [chair(), { type: 'meeting:start' }],
      [delegate(0), { type: 'presence:set-delegate', status: 'present_in_person' }],
      [delegate(1), { type: 'presence:set-delegate', status: 'present_online' }],
      [chair(), { type: 'presence:set-delegate', userId: delegates[2]!, status: 'absent', reason: 'Ốm' }],
      [chair(), { type: 'presence:set-bridge', bridgePointId: bridges[1]!, status: 'degraded', delegatesPresent: 12 }],
      [delegate(3), { type: 'floor:request', topic: 'Giao thông' }],
      [delegate(4), { type: 'floor:request' }],
      [chair(), { type: 'rollcall:start' }],
      [chair(), { type: 'rollcall:confirm', bridgePointId: bridges[1]!, delegatesPresent: 11 }],
      [chair(), { type: 'rollcall:confirm', bridgePointId: bridges[0]!, delegatesPresent: 3 }],
      // A correction: the district's answer moves after the province's.
      [chair(), { type: 'rollcall:confirm', bridgePointId: bridges[1]!, delegatesPresent: 12 }],
    ];
    for (const [actor, cmd] of run) {
      state = (await db.tx((s) => apply(s, state, actor, cmd, (now += 1000)))).state;
    }
    const back = await db.run((s) => stored(s));
    expect(back).toEqual(state);
    expect(back.version).toBe(run.length);
    expect(back.presence.rollCalls.at(-1)!.confirmations.map((c) => [c.bridgePointId, c.delegatesPresent])).toEqual([[bridges[0], 3], [bridges[1], 12]]);
    // Agenda refs in position order, whatever the insertion order.
    expect((await db.run((s) => loadAgendaRefs(s, meetingId))).map((i) => i.plannedMinutes)).toEqual([10, 30]);
  });

  it('group-commits check-ins with a refused command: the others keep their rows and versions', async () => {
    // The state the jobs build on is kept once their batch commits and dropped when it rolls back, as the service does.
    let shared = state;
    let kept = state;
    const batches = new GroupCommit(db, { committed: () => void (kept = shared), rolledBack: () => void (shared = kept) });
    const events: ConferenceEvent[][] = [];
    const submit = (actor: Actor, cmd: ConferenceCommand) =>
      batches.submit(
        async (s) => {
          const r = await apply(s, shared, actor, cmd, (now += 10));
          shared = r.state;
          return r;
        },
        (r) => void events.push(r.events),
      );
    // Every job writes in the one transaction of its batch, each building on the one before it.
    const results = await Promise.allSettled([
      submit(delegate(5), { type: 'presence:set-delegate', status: 'present_online' }),
      submit(delegate(3), { type: 'floor:grant', requestId: 1 }),
      submit(delegate(4), { type: 'presence:set-delegate', status: 'present_in_person' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The second pass ran each job again on the state the first one left: the failed one is not in it.
    expect(events).toHaveLength(2);
    const back = await db.run((s) => stored(s));
    const statusOf = (i: number) => back.presence.delegates.find((d) => d.userId === delegates[i])!.status;
    expect([statusOf(5), statusOf(4)]).toEqual(['present_online', 'present_in_person']);
    expect(back.version).toBe(shared.version);
  });

  it('moves the roster epoch with invitations and the names a roster shows', async () => {
    const before = await db.run(rosterEpoch);
    await db.tx(({ q, t }) => q.insert(t.meetingDelegates).values({ meetingId: otherMeetingId, userId: delegates[0]! }));
    const invited = await db.run(rosterEpoch);
    expect(invited).toBeGreaterThan(before);
    await db.tx(({ q, t }) => q.update(t.users).set({ fullName: 'Đại biểu mới' }).where(eq(t.users.id, delegates[0]!)));
    expect(await db.run(rosterEpoch)).toBeGreaterThan(invited);
  });

  it('finds the meetings with a speaker through the stored JSON, and keeps the floor log in order', async () => {
    expect(await db.run(meetingsWithSpeaker)).toEqual([]);
    const requestId = state.floor.queue[0]!.id;
    await db.tx(async (s) => {
      const reordered = await apply(s, state, chair(), { type: 'floor:reorder', requestIds: [...state.floor.queue].reverse().map((r) => r.id) }, (now += 1000));
      state = (await apply(s, reordered.state, chair(), { type: 'floor:grant', requestId, limitSeconds: 60 }, (now += 1000))).state;
    });
    expect(await db.run(meetingsWithSpeaker)).toEqual([meetingId]);
    const log = await db.run((s) => listFloorLog(s, meetingId));
    expect(log.map((e) => [e.kind, e.requestId, e.limitMs])).toEqual([
      ['requested', requestId, null],
      ['requested', requestId + 1, null],
      ['reordered', null, null],
      ['granted', requestId, 60_000],
    ]);
    expect(log[2]!.details).toEqual([requestId + 1, requestId]);
    expect(await db.run((s) => listFloorLog(s, otherMeetingId))).toEqual([]);
  });
});
