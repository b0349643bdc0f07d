/**
 * Reads the plain facts of held meetings for a period and unit, in a fixed
 * number of grouped queries (not one per meeting), so a year of 213 bridge
 * points stays fast. Attendance is read through `attendanceOf` alone, so it
 * can be pointed at whatever the conference module records.
 */
import type { Db } from '../../db/index.ts';
import type { BridgeFact, BridgeTier, MeetingFact } from './reports.compute.ts';

export interface Scope {
  from: string;
  to: string;
  unitId: number;
}

interface UnitRow {
  id: number;
  parentId: number | null;
  level: 'province' | 'district' | 'commune';
  name: string;
  km: number | null;
}

export const loadUnits = (db: Db): Map<number, UnitRow> =>
  new Map(
    (db.$client
      .prepare('SELECT u.id, u.parent_id AS parentId, u.level, u.name, d.km FROM units u LEFT JOIN unit_distances d ON d.unit_id = u.id')
      .all() as UnitRow[]).map((u) => [u.id, u]),
  );

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

interface AttendanceRow {
  meetingId: number;
  bridgePointId: number;
  connected: number;
  invited: number;
  attended: number;
}

/** Per-bridge attendance of held meetings. Today: the summary recorded in meeting_attendance. */
export function attendanceOf(db: Db, ids: string): AttendanceRow[] {
  return db.$client
    .prepare(`SELECT meeting_id AS meetingId, bridge_point_id AS bridgePointId, connected, invited, attended FROM meeting_attendance WHERE meeting_id IN (SELECT value FROM json_each(?))`)
    .all(ids) as AttendanceRow[];
}

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

const HELD = "('live','ended','archived')";

/** Facts of every held meeting starting in [from, to) with a bridge point in the unit's scope. */
export function loadFacts(db: Db, scope: Scope): MeetingFact[] {
  const units = loadUnits(db);
  const c = db.$client;
  const meetings = c
    .prepare(`SELECT id, starts_at AS startsAt, ends_at AS endsAt, chair_unit_id AS chairUnitId FROM meetings WHERE status IN ${HELD} AND starts_at >= ? AND starts_at < ? ORDER BY starts_at`)
    .all(scope.from, scope.to) as { id: number; startsAt: string; endsAt: string; chairUnitId: number }[];
  if (!meetings.length) return [];
  const ids = JSON.stringify(meetings.map((m) => m.id));
  const inIds = 'IN (SELECT value FROM json_each(?))';

  const bridges = c
    .prepare(
      `SELECT mb.meeting_id AS meetingId, bp.id AS bridgePointId, bp.unit_id AS unitId, bp.level, coalesce(md.n, 0) AS invited
       FROM meeting_bridge_points mb JOIN bridge_points bp ON bp.id = mb.bridge_point_id
       LEFT JOIN (SELECT meeting_id, bridge_point_id, count(*) AS n FROM meeting_delegates WHERE meeting_id ${inIds} GROUP BY 1, 2) md
         ON md.meeting_id = mb.meeting_id AND md.bridge_point_id = bp.id
       WHERE mb.meeting_id ${inIds}`,
    )
    .all(ids, ids) as { meetingId: number; bridgePointId: number; unitId: number; level: BridgeTier; invited: number }[];
  const attendance = new Map(attendanceOf(db, ids).map((a) => [`${a.meetingId}:${a.bridgePointId}`, a]));
  const docs = c
    .prepare(
      `SELECT d.id, d.meeting_id AS meetingId, v.pages FROM documents d
       LEFT JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version
       WHERE d.meeting_id ${inIds} AND d.published_at IS NOT NULL`,
    )
    .all(ids) as { id: number; meetingId: number; pages: number | null }[];
  const receipts = c
    .prepare(
      `SELECT r.document_id AS documentId, r.channel, r.at < m.starts_at AS early, bp.unit_id AS unitId
       FROM document_receipts r JOIN meetings m ON m.id = r.meeting_id LEFT JOIN bridge_points bp ON bp.id = r.bridge_point_id
       WHERE r.meeting_id ${inIds}`,
    )
    .all(ids) as { documentId: number; channel: 'qr' | 'web'; early: number; unitId: number | null }[];
  const phoneDelegates = new Map(
    (c.prepare(`SELECT meeting_id AS id, count(*) AS n FROM meeting_delegates WHERE bridge_point_id IS NULL AND meeting_id ${inIds} GROUP BY meeting_id`).all(ids) as {
      id: number;
      n: number;
    }[]).map((r) => [r.id, r.n]),
  );
  const polls = c
    .prepare(
      `SELECT p.meeting_id AS meetingId, coalesce(json_array_length(p.eligible), 0) AS eligible,
         (SELECT count(*) FROM poll_voters v WHERE v.poll_id = p.id) AS voted
       FROM polls p WHERE p.meeting_id ${inIds} AND p.status IN ('open','closed','published')`,
    )
    .all(ids) as { meetingId: number; eligible: number; voted: number }[];

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
          connected: Boolean(a?.connected),
          // The summary written when the meeting ended wins over today's invitation list.
          invited: a?.invited ?? b.invited,
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
            qrPickups: rs.filter((r) => r.channel === 'qr').length,
            downloads: rs.filter((r) => r.channel === 'web').length,
            pickedUpBeforeStart: rs.filter((r) => r.early).length,
          };
        }),
      polls: (pollsBy.get(m.id) ?? []).map((p) => ({ eligible: p.eligible, voted: p.voted })),
    });
  }
  return facts;
}

export function listDistances(db: Db) {
  return db.$client
    .prepare('SELECT u.id AS unitId, u.parent_id AS parentId, u.level, u.name, coalesce(d.km, 0) AS km FROM units u LEFT JOIN unit_distances d ON d.unit_id = u.id ORDER BY u.id')
    .all() as { unitId: number; parentId: number | null; level: string; name: string; km: number }[];
}

export function setDistance(db: Db, unitId: number, km: number): boolean {
  const exists = db.$client.prepare('SELECT 1 FROM units WHERE id = ?').get(unitId);
  if (!exists) return false;
  db.$client
    .prepare(`INSERT INTO unit_distances (unit_id, km) VALUES (?, ?) ON CONFLICT(unit_id) DO UPDATE SET km = excluded.km, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`)
    .run(unitId, km);
  return true;
}

export interface AttendanceSummary {
  bridgePointId: number;
  connected: boolean;
  invited: number;
  attended: number;
}

/** Writes (or rewrites) a held meeting's per-bridge attendance; the conference end path may call it. */
export function recordAttendance(db: Db, meetingId: number, rows: readonly AttendanceSummary[]): void {
  const ins = db.$client.prepare(
    `INSERT INTO meeting_attendance (meeting_id, bridge_point_id, connected, invited, attended) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET connected = excluded.connected, invited = excluded.invited, attended = excluded.attended`,
  );
  db.$client.transaction(() => {
    for (const r of rows) ins.run(meetingId, r.bridgePointId, r.connected ? 1 : 0, r.invited, r.attended);
  })();
}
