/**
 * Demo history for the report page: 12 months of held meetings of the demo
 * province (varied sizes, online shares and documents), their per-bridge
 * attendance summaries, document receipts and default unit distances.
 * Deterministic (seeded PRNG) and written in one transaction with prepared
 * statements, so `pnpm start` stays fast.
 */
import type { Db } from '../../db/index.ts';

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

/** Seeds the history for the province `provinceId`, ending before `now`. */
export function seedReportHistory(db: Db, provinceId: number, createdBy: number | null, now = new Date()): HistorySummary {
  const c = db.$client;
  const rand = prng(2026);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const units = c.prepare('SELECT id, parent_id AS parentId, level FROM units WHERE province_id = ?').all(provinceId) as { id: number; parentId: number | null; level: string }[];
  const bridges = c
    .prepare('SELECT bp.id, bp.unit_id AS unitId, bp.level, u.parent_id AS parentId FROM bridge_points bp JOIN units u ON u.id = bp.unit_id WHERE u.province_id = ?')
    .all(provinceId) as { id: number; unitId: number; level: string; parentId: number | null }[];
  const provincial = bridges.filter((b) => b.level === 'provincial');
  const districts = bridges.filter((b) => b.level === 'district');
  const communes = bridges.filter((b) => b.level === 'commune');

  const insDistance = c.prepare('INSERT OR IGNORE INTO unit_distances (unit_id, km) VALUES (?, ?)');
  const insMeeting = c.prepare(
    "INSERT INTO meetings (title, kind, description, starts_at, ends_at, status, chair_unit_id, created_by) VALUES (?, ?, '', ?, ?, 'archived', ?, ?)",
  );
  const insBridge = c.prepare('INSERT INTO meeting_bridge_points (meeting_id, bridge_point_id) VALUES (?, ?)');
  const insAtt = c.prepare('INSERT INTO meeting_attendance (meeting_id, bridge_point_id, connected, invited, attended) VALUES (?, ?, ?, ?, ?)');
  const insDoc = c.prepare(
    "INSERT INTO documents (meeting_id, title, classification, current_version, published_at, created_by) VALUES (?, ?, 'public_to_meeting', 1, ?, ?)",
  );
  const insVer = c.prepare("INSERT INTO document_versions (document_id, version, file_name, mime, size, sha256, pages, uploaded_by) VALUES (?, 1, ?, 'application/pdf', ?, ?, ?, ?)");
  const insReceipt = c.prepare('INSERT INTO document_receipts (meeting_id, document_id, version, user_id, bridge_point_id, channel, at) VALUES (?, ?, 1, NULL, ?, ?, ?)');

  const sum: HistorySummary = { meetings: 0, attendanceRows: 0, documents: 0, receipts: 0 };
  c.transaction(() => {
    // Distance of each unit to its parent's seat: districts 12-85 km from the province, communes 3-28 km from theirs.
    for (const u of units) insDistance.run(u.id, u.level === 'province' ? 0 : u.level === 'district' ? int(12, 85) : int(3, 28));

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
        let invitedBridges: typeof bridges;
        if (hostDistrict) invitedBridges = [hostDistrict, ...communes.filter((b) => b.parentId === hostDistrict.unitId)];
        else if (size > 0.7) invitedBridges = bridges;
        else if (size > 0.3) invitedBridges = [...provincial, ...districts];
        else invitedBridges = [provincial[0]!];
        const meetingId = Number(
          insMeeting.run(`${TITLES[int(0, TITLES.length - 1)]} ${hostDistrict ? 'cấp huyện' : 'tỉnh'} tháng ${base.getUTCMonth() + 1}`, KINDS[int(0, KINDS.length - 1)], start.toISOString(), new Date(start.getTime() + hours * 3600_000).toISOString(), hostUnit, createdBy).lastInsertRowid,
        );
        sum.meetings++;
        let invitedTotal = 0;
        for (const b of invitedBridges) {
          insBridge.run(meetingId, b.id);
          const atSeat = b.unitId === hostUnit;
          // In-person meetings: remote bridges stay dark and their delegates travel to the seat
          // (they still attend, but avoid no travel).
          const connected = atSeat || (online && rand() < 0.93);
          const invited = b.level === 'provincial' ? int(15, 40) : b.level === 'district' ? int(6, 15) : int(2, 6);
          const attended = Math.round(invited * (0.82 + rand() * 0.17));
          insAtt.run(meetingId, b.id, connected ? 1 : 0, invited, attended);
          invitedTotal += invited;
          sum.attendanceRows++;
        }
        const docCount = int(1, 6);
        for (let d = 0; d < docCount; d++) {
          const published = new Date(start.getTime() - int(1, 72) * 3600_000).toISOString();
          const docId = Number(insDoc.run(meetingId, `Tài liệu ${d + 1}`, published, createdBy).lastInsertRowid);
          // A few documents (slides, images) have no page count: they count as 0 pages.
          const pages = rand() < 0.08 ? null : int(2, 40);
          insVer.run(docId, `tai-lieu-${d + 1}.pdf`, (pages ?? 1) * 40_000, `history-${meetingId}-${d}`, pages, createdBy);
          sum.documents++;
          const pickups = Math.min(invitedBridges.length * 3, Math.round(invitedTotal * (0.3 + rand() * 0.5)));
          for (let r = 0; r < pickups; r++) {
            const b = invitedBridges[int(0, invitedBridges.length - 1)]!;
            const at = new Date(start.getTime() + (rand() < 0.7 ? -int(1, 48) : int(0, 3)) * 3600_000).toISOString();
            insReceipt.run(meetingId, docId, b.id, rand() < 0.55 ? 'qr' : 'web', at);
            sum.receipts++;
          }
        }
      }
    }
  })();
  return sum;
}
