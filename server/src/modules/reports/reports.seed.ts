/**
 * Demo history for the report page: 12 months of held meetings of the demo
 * province (varied sizes, online shares and documents), their per-bridge
 * attendance summaries, document receipts and default unit distances.
 * Deterministic (seeded PRNG) and written with multi-row INSERTs inside the
 * caller's transaction, so `pnpm start` stays fast on either engine.
 */
import { asc, eq } from 'drizzle-orm';
import { insertMany } from '../../db/bulk-insert.ts';
import type { Store } from '../../db/database.ts';

/** mulberry32: small deterministic PRNG, so the demo figures are the same on every start. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['conference', 'standing_committee', 'executive_committee', 'briefing'] as const;
const TITLES = ['Hội nghị giao ban', 'Hội nghị Ban Thường vụ', 'Hội nghị Ban Chấp hành', 'Hội nghị quán triệt nghị quyết', 'Hội nghị sơ kết'];

export interface HistorySummary {
  meetings: number;
  attendanceRows: number;
  documents: number;
  receipts: number;
}

interface PlannedMeeting {
  row: { title: string; kind: (typeof KINDS)[number]; startsAt: string; endsAt: string; chairUnitId: number };
  attendance: { bridgePointId: number; connected: boolean; invited: number; attended: number }[];
  docs: { title: string; publishedAt: string; pages: number | null; receipts: { bridgePointId: number; channel: 'qr' | 'web'; at: string }[] }[];
}

/** Seeds the history for the province `provinceId`, ending before `now`, in the caller's transaction. */
export async function seedReportHistory(s: Store, provinceId: number, createdBy: number | null, now = new Date()): Promise<HistorySummary> {
  const { q, t } = s;
  const units = await q.select({ id: t.units.id, level: t.units.level }).from(t.units).where(eq(t.units.provinceId, provinceId)).orderBy(asc(t.units.id));
  const bridges = await q
    .select({ id: t.bridgePoints.id, unitId: t.bridgePoints.unitId, level: t.bridgePoints.level, parentId: t.units.parentId })
    .from(t.bridgePoints)
    .innerJoin(t.units, eq(t.units.id, t.bridgePoints.unitId))
    .where(eq(t.units.provinceId, provinceId))
    .orderBy(asc(t.bridgePoints.id));
  const rand = prng(2026);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  // Distance of each unit to its parent's seat: districts 12-85 km from the province, communes 3-28 km from theirs.
  const distances = units.map((u) => ({ unitId: u.id, km: u.level === 'province' ? 0 : u.level === 'district' ? int(12, 85) : int(3, 28) }));
  const plan = planMeetings(bridges, provinceId, now, int, rand);

  // Meetings and documents one statement each (their ids are needed below); the many rows that
  // hang off them in a few multi-row INSERTs.
  const links: (typeof t.meetingBridgePoints.$inferInsert)[] = [];
  const attendance: (typeof t.meetingAttendance.$inferInsert)[] = [];
  const versions: (typeof t.documentVersions.$inferInsert)[] = [];
  const receipts: (typeof t.documentReceipts.$inferInsert)[] = [];
  for (const m of plan) {
    const [meeting] = await q.insert(t.meetings).values({ ...m.row, description: '', status: 'archived', createdBy }).returning({ id: t.meetings.id });
    const meetingId = meeting!.id;
    for (const a of m.attendance) {
      links.push({ meetingId, bridgePointId: a.bridgePointId });
      attendance.push({ meetingId, ...a });
    }
    if (!m.docs.length) continue;
    const docs = await q
      .insert(t.documents)
      .values(m.docs.map((d) => ({ meetingId, title: d.title, classification: 'public_to_meeting' as const, currentVersion: 1, publishedAt: d.publishedAt, createdBy })))
      .returning({ id: t.documents.id, title: t.documents.title });
    // A meeting's document titles are distinct: they tell the returned ids apart.
    const docIds = new Map(docs.map((d) => [d.title, d.id]));
    m.docs.forEach((d, i) => {
      const documentId = docIds.get(d.title)!;
      versions.push({ documentId, version: 1, fileName: `tai-lieu-${i + 1}.pdf`, mime: 'application/pdf', size: (d.pages ?? 1) * 40_000, sha256: `history-${meetingId}-${i}`, pages: d.pages, uploadedBy: createdBy });
      for (const r of d.receipts) receipts.push({ meetingId, documentId, version: 1, userId: null, ...r });
    });
  }
  await insertMany(s, t.unitDistances, distances);
  await insertMany(s, t.meetingBridgePoints, links);
  await insertMany(s, t.meetingAttendance, attendance);
  await insertMany(s, t.documentVersions, versions);
  await insertMany(s, t.documentReceipts, receipts);
  return { meetings: plan.length, attendanceRows: attendance.length, documents: versions.length, receipts: receipts.length };
}

type HistoryBridge = { id: number; unitId: number; level: string; parentId: number | null };

/** The year's meetings, drawn from the PRNG before anything is written. */
function planMeetings(bridges: HistoryBridge[], provinceId: number, now: Date, int: (lo: number, hi: number) => number, rand: () => number): PlannedMeeting[] {
  const provincial = bridges.filter((b) => b.level === 'provincial');
  const districts = bridges.filter((b) => b.level === 'district');
  const communes = bridges.filter((b) => b.level === 'commune');
  const plan: PlannedMeeting[] = [];
  for (let month = 12; month >= 1; month--) {
    const base = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - month, 1, 1, 30));
    const count = int(10, 16);
    // The online share grows over the year, as the provinces' own reports describe.
    const onlineBias = 0.25 + (12 - month) * 0.04;
    for (let k = 0; k < count; k++) {
      const start = new Date(base.getTime() + int(0, 26) * 86400_000 + int(0, 5) * 3600_000);
      const hours = int(2, 8) / 2;
      const size = rand();
      const online = rand() < onlineBias;
      // Who hosts: mostly the province; some district meetings with their communes.
      const hostDistrict = rand() < 0.25 ? districts[int(0, districts.length - 1)]! : null;
      const hostUnit = hostDistrict ? hostDistrict.unitId : provinceId;
      let invitedBridges: HistoryBridge[];
      if (hostDistrict) invitedBridges = [hostDistrict, ...communes.filter((b) => b.parentId === hostDistrict.unitId)];
      else if (size > 0.7) invitedBridges = bridges;
      else if (size > 0.3) invitedBridges = [...provincial, ...districts];
      else invitedBridges = [provincial[0]!];
      const title = `${TITLES[int(0, TITLES.length - 1)]} ${hostDistrict ? 'cấp huyện' : 'tỉnh'} tháng ${base.getUTCMonth() + 1}`;
      const m: PlannedMeeting = {
        row: { title, kind: KINDS[int(0, KINDS.length - 1)]!, startsAt: start.toISOString(), endsAt: new Date(start.getTime() + hours * 3600_000).toISOString(), chairUnitId: hostUnit },
        attendance: [],
        docs: [],
      };
      let invitedTotal = 0;
      for (const b of invitedBridges) {
        const atSeat = b.unitId === hostUnit;
        // In-person meetings: remote bridges stay dark and their delegates travel to the seat
        // (they still attend, but avoid no travel).
        const connected = atSeat || (online && rand() < 0.93);
        const invited = b.level === 'provincial' ? int(15, 40) : b.level === 'district' ? int(6, 15) : int(2, 6);
        m.attendance.push({ bridgePointId: b.id, connected, invited, attended: Math.round(invited * (0.82 + rand() * 0.17)) });
        invitedTotal += invited;
      }
      const docCount = int(1, 6);
      for (let d = 0; d < docCount; d++) {
        const publishedAt = new Date(start.getTime() - int(1, 72) * 3600_000).toISOString();
        // A few documents (slides, images) have no page count: they count as 0 pages.
        const pages = rand() < 0.08 ? null : int(2, 40);
        const pickups = Math.min(invitedBridges.length * 3, Math.round(invitedTotal * (0.3 + rand() * 0.5)));
        const receipts = Array.from({ length: pickups }, () => {
          const b = invitedBridges[int(0, invitedBridges.length - 1)]!;
          const at = new Date(start.getTime() + (rand() < 0.7 ? -int(1, 48) : int(0, 3)) * 3600_000).toISOString();
          return { bridgePointId: b.id, channel: rand() < 0.55 ? ('qr' as const) : ('web' as const), at };
        });
        m.docs.push({ title: `Tài liệu ${d + 1}`, publishedAt, pages, receipts });
      }
      plan.push(m);
    }
  }
  return plan;
}
