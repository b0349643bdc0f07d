/**
 * Reads the plain facts of held meetings for a period and unit, in a fixed
 * number of grouped queries (not one per meeting), so a year of 213 bridge
 * points stays fast. Attendance is read through `attendanceOf` alone, so it
 * can be pointed at whatever the conference module records.
 */
import { and, count, eq, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { MeetingStatus, PollStatus } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { nowIso } from '../../db/dialect.ts';
import type { BridgeFact, MeetingFact } from './reports.compute.ts';

export interface Scope {
  from: string;
  to: string;
  unitId: number;
}

/** Every unit with its distance to its parent's seat (null: not entered). */
const unitsWithKm = ({ q, t }: Store) =>
  q.select({ id: t.units.id, parentId: t.units.parentId, level: t.units.level, name: t.units.name, km: t.unitDistances.km }).from(t.units).leftJoin(t.unitDistances, eq(t.unitDistances.unitId, t.units.id)).orderBy(t.units.id);

export type UnitRow = Awaited<ReturnType<typeof unitsWithKm>>[number];

export const loadUnits = async (s: Store): Promise<Map<number, UnitRow>> => new Map((await unitsWithKm(s)).map((u) => [u.id, u]));

/** Ancestors of a unit, itself first, with the distance from each to its parent. */
function chain(units: Map<number, UnitRow>, id: number): UnitRow[] {
  const out: UnitRow[] = [];
  for (let u = units.get(id); u && out.length < 10; u = u.parentId === null ? undefined : units.get(u.parentId)) out.push(u);
  return out;
}

/**
 * Road distance between two units along the unit tree: each unit's distance is to its
 * parent's seat, so a commune to the province is commune→district + district→province.
 */
export function treeDistance(units: Map<number, UnitRow>, a: number, b: number): number {
  const ca = chain(units, a);
  const cb = chain(units, b);
  const common = ca.find((u) => cb.some((v) => v.id === u.id));
  const upTo = (c: UnitRow[]) => {
    let km = 0;
    for (const u of c) {
      if (u.id === common?.id) break;
      km += u.km ?? 0;
    }
    return km;
  };
  return upTo(ca) + upTo(cb);
}

export const districtOf = (units: Map<number, UnitRow>, id: number): number | null =>
  chain(units, id).find((u) => u.level === 'district')?.id ?? null;

/** Units inside the scope (the unit and everything under it). */
const inScope = (units: Map<number, UnitRow>, scopeId: number, unitId: number) => chain(units, unitId).some((u) => u.id === scopeId);

function groupBy<T>(rows: readonly T[], key: (r: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

const sum = (rows: readonly { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);

const HELD: MeetingStatus[] = ['live', 'ended', 'archived'];
const COUNTED_POLLS: PollStatus[] = ['open', 'closed', 'published'];

/**
 * Ids of the held meetings starting in [from, to), as a subquery: every fact query filters by it in
 * the database, whatever the number of meetings (no list of ids as parameters).
 */
function heldIn({ q, t }: Store, scope: Scope) {
  const m = t.meetings;
  return q.select({ id: m.id }).from(m).where(and(inArray(m.status, HELD), gte(m.startsAt, scope.from), lt(m.startsAt, scope.to)));
}

/** Per-bridge attendance of the `held` meetings. Today: the summary recorded in meeting_attendance. */
export function attendanceOf({ q, t }: Store, held: ReturnType<typeof heldIn>) {
  const a = t.meetingAttendance;
  return q.select().from(a).where(inArray(a.meetingId, held));
}

/** Facts of every held meeting starting in [from, to) with a bridge point in the unit's scope. */
export async function loadFacts(s: Store, scope: Scope, units: Map<number, UnitRow>): Promise<MeetingFact[]> {
  const { q, t } = s;
  const { meetings: m, meetingBridgePoints: mb, bridgePoints: bp, meetingDelegates: md, documents: d, documentVersions: v, documentReceipts: r, polls: p, pollVoters: pv } = t;
  const held = heldIn(s, scope);
  // ISO-8601 times in UTC compare as text. SQLite answers 0/1, PostgreSQL a boolean.
  const early = sql<boolean>`${r.at} < ${m.startsAt}`.mapWith(Boolean);
  const meetings = await q
    .select({ id: m.id, startsAt: m.startsAt, endsAt: m.endsAt, chairUnitId: m.chairUnitId })
    .from(m)
    .where(inArray(m.id, held))
    .orderBy(m.startsAt, m.id);
  if (!meetings.length) return [];

  const [bridges, invitedRows, attendanceRows, docs, receipts, phoneRows, polls, voterRows] = await Promise.all([
    q.select({ meetingId: mb.meetingId, bridgePointId: bp.id, unitId: bp.unitId, level: bp.level }).from(mb).innerJoin(bp, eq(bp.id, mb.bridgePointId)).where(inArray(mb.meetingId, held)).orderBy(mb.meetingId, bp.id),
    q.select({ meetingId: md.meetingId, bridgePointId: md.bridgePointId, n: count() }).from(md).where(and(inArray(md.meetingId, held), isNotNull(md.bridgePointId))).groupBy(md.meetingId, md.bridgePointId),
    attendanceOf(s, held),
    q
      .select({ id: d.id, meetingId: d.meetingId, pages: v.pages })
      .from(d)
      .leftJoin(v, and(eq(v.documentId, d.id), eq(v.version, d.currentVersion)))
      .where(and(inArray(d.meetingId, held), isNotNull(d.publishedAt)))
      .orderBy(d.id),
    // A year holds about a hundred thousand receipts: counted in the database, per document, channel, unit and timing.
    q
      .select({ documentId: r.documentId, channel: r.channel, unitId: bp.unitId, early, n: count() })
      .from(r)
      .innerJoin(m, eq(m.id, r.meetingId))
      .leftJoin(bp, eq(bp.id, r.bridgePointId))
      .where(inArray(r.meetingId, held))
      .groupBy(r.documentId, r.channel, bp.unitId, early),
    q.select({ id: md.meetingId, n: count() }).from(md).where(and(isNull(md.bridgePointId), inArray(md.meetingId, held))).groupBy(md.meetingId),
    q.select({ id: p.id, meetingId: p.meetingId, eligible: p.eligible }).from(p).where(and(inArray(p.meetingId, held), inArray(p.status, COUNTED_POLLS))).orderBy(p.id),
    q
      .select({ pollId: pv.pollId, n: count() })
      .from(pv)
      .innerJoin(p, eq(p.id, pv.pollId))
      // A secret poll has a row per eligible delegate from its opening; only the flipped ones voted.
      .where(and(inArray(p.meetingId, held), inArray(p.status, COUNTED_POLLS), eq(pv.voted, 1)))
      .groupBy(pv.pollId),
  ]);
  const invited = new Map(invitedRows.map((x) => [`${x.meetingId}:${x.bridgePointId}`, x.n]));
  const attendance = new Map(attendanceRows.map((a) => [`${a.meetingId}:${a.bridgePointId}`, a]));
  const phoneDelegates = new Map(phoneRows.map((x) => [x.id, x.n]));
  const voters = new Map(voterRows.map((x) => [x.pollId, x.n]));

  const byMeeting = groupBy(bridges, (b) => b.meetingId);
  const docsBy = groupBy(docs, (d) => d.meetingId);
  const receiptsBy = groupBy(receipts, (r) => r.documentId);
  const pollsBy = groupBy(polls, (p) => p.meetingId);
  const whole = units.get(scope.unitId)?.parentId === null;
  // A year holds tens of thousands of bridge rows over a few hundred units: walk the tree once per pair.
  const memo = <K, V>(f: (k: K) => V) => {
    const cache = new Map<K, V>();
    return (k: K) => (cache.has(k) ? cache.get(k)! : (cache.set(k, f(k)), cache.get(k)!));
  };
  const within = memo((unitId: number | null) => (unitId === null ? whole : inScope(units, scope.unitId, unitId)));
  const district = memo((unitId: number) => districtOf(units, unitId));
  const distance = memo((pair: string) => {
    const [a, b] = pair.split(':').map(Number);
    return treeDistance(units, a!, b!);
  });
  const facts: MeetingFact[] = [];
  for (const m of meetings) {
    const mine: BridgeFact[] = (byMeeting.get(m.id) ?? [])
      .filter((b) => within(b.unitId))
      .map((b) => {
        const a = attendance.get(`${m.id}:${b.bridgePointId}`);
        return {
          bridgePointId: b.bridgePointId,
          unitId: b.unitId,
          districtId: district(b.unitId),
          level: b.level,
          connected: a?.connected ?? false,
          // The summary written when the meeting ended wins over today's invitation list.
          invited: a?.invited ?? invited.get(`${m.id}:${b.bridgePointId}`) ?? 0,
          attended: a?.attended ?? 0,
          atHostSeat: b.unitId === m.chairUnitId,
          distanceKm: distance(`${b.unitId}:${m.chairUnitId}`),
        };
      });
    if (!mine.length && !within(m.chairUnitId)) continue;
    const invitedDelegates = mine.reduce((s, b) => s + b.invited, 0) + (whole ? (phoneDelegates.get(m.id) ?? 0) : 0);
    facts.push({
      id: m.id,
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      bridges: mine,
      documents: (docsBy.get(m.id) ?? []).map((d) => {
        const rs = (receiptsBy.get(d.id) ?? []).filter((r) => within(r.unitId));
        return {
          pages: d.pages,
          invitedDelegates,
          qrPickups: sum(rs.filter((r) => r.channel === 'qr')),
          downloads: sum(rs.filter((r) => r.channel === 'web')),
          pickedUpBeforeStart: sum(rs.filter((r) => r.early)),
        };
      }),
      polls: (pollsBy.get(m.id) ?? []).map((p) => ({ eligible: p.eligible?.length ?? 0, voted: voters.get(p.id) ?? 0 })),
    });
  }
  return facts;
}

export async function listDistances(s: Store) {
  return (await unitsWithKm(s)).map((u) => ({ unitId: u.id, parentId: u.parentId, level: u.level, name: u.name, km: u.km ?? 0 }));
}

/** Sets a unit's distance; false when the unit does not exist. */
export async function setDistance(s: Store, unitId: number, km: number): Promise<boolean> {
  const { q, t } = s;
  const [unit] = await q.select({ id: t.units.id }).from(t.units).where(eq(t.units.id, unitId));
  if (!unit) return false;
  await q
    .insert(t.unitDistances)
    .values({ unitId, km })
    .onConflictDoUpdate({ target: t.unitDistances.unitId, set: { km, updatedAt: nowIso(s) } });
  return true;
}

export interface AttendanceSummary {
  bridgePointId: number;
  connected: boolean;
  invited: number;
  attended: number;
}

/** Writes (or rewrites) a held meeting's per-bridge attendance, in the caller's transaction when it has one. */
export async function recordAttendance({ q, t }: Store, meetingId: number, rows: readonly AttendanceSummary[]): Promise<void> {
  if (!rows.length) return;
  const a = t.meetingAttendance;
  await q
    .insert(a)
    .values(rows.map((r) => ({ meetingId, ...r })))
    .onConflictDoUpdate({ target: [a.meetingId, a.bridgePointId], set: { connected: sql`excluded.connected`, invited: sql`excluded.invited`, attended: sql`excluded.attended` } });
}
