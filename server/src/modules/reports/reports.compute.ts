/**
 * Pure report figures: no database, no clock. The repo gathers plain facts for
 * a period; this turns them into every figure of the quarterly report, each
 * with the method an auditor needs to recompute it (METHODS).
 */

export interface Rates {
  /** Paper and printing cost of one printed page. */
  vndPerPage: number;
  /** Travel cost per km driven. */
  vndPerKm: number;
  /** Allowance paid per delegate per trip to the host's seat. */
  perDiemVnd: number;
  /** Average travel speed, for hours of travel avoided. */
  kmh: number;
}

export type BridgeTier = 'provincial' | 'district' | 'commune';

export interface BridgeFact {
  bridgePointId: number;
  unitId: number;
  /** District the bridge belongs to (itself for a district unit); null at province level. */
  districtId: number | null;
  level: BridgeTier;
  /** Whether the bridge point actually connected during the meeting. */
  connected: boolean;
  /** Delegates invited to attend at this bridge point. */
  invited: number;
  /** Delegates who attended at this bridge point. */
  attended: number;
  /** The bridge sits in the host's own unit: its delegates were at the seat anyway. */
  atHostSeat: boolean;
  /** One-way road distance from this unit to the host's seat, km (0 at the seat). */
  distanceKm: number;
}

export interface DocumentFact {
  /** Pages of the current version; null (unknown) counts as 0. */
  pages: number | null;
  /** Delegates invited to the meeting: each would have received one printed copy. */
  invitedDelegates: number;
  qrPickups: number;
  downloads: number;
  /** Receipts (QR or download) made before the meeting began. */
  pickedUpBeforeStart: number;
}

export interface PollFact {
  eligible: number;
  voted: number;
}

export interface MeetingFact {
  id: number;
  /** ISO time; the month of the report charts is taken from it (UTC+7). */
  startsAt: string;
  endsAt: string;
  bridges: BridgeFact[];
  documents: DocumentFact[];
  polls: PollFact[];
}

export interface Figures {
  meetings: number;
  /** Meetings where at least one bridge point away from the host's seat connected. */
  onlineOrHybrid: number;
  onlineShare: number;
  hours: number;
  bridgesConnected: number;
  bridgesPerMeeting: number;
  bridgesByLevel: Record<BridgeTier, number>;
  invited: number;
  attended: number;
  attendanceRate: number;
  joinedLocally: number;
  documents: number;
  pages: number;
  copiesAvoided: number;
  qrPickups: number;
  downloads: number;
  pickedUpBeforeStartShare: number;
  paperSavingVnd: number;
  travelKmAvoided: number;
  travelSavingVnd: number;
  travelHoursAvoided: number;
  totalSavingVnd: number;
  polls: number;
  pollTurnout: number;
}

export interface MonthRow {
  month: string;
  meetings: number;
  onlineShare: number;
  savingVnd: number;
}

export interface DistrictRow {
  districtId: number;
  meetings: number;
  bridgesConnected: number;
  joinedLocally: number;
  savingVnd: number;
}

export interface Report {
  current: Figures;
  previous: Figures;
  months: MonthRow[];
  districts: DistrictRow[];
}

/** The method of each figure, printed under it in the page and both exports. */
export const METHODS: Record<keyof Figures, string> = {
  meetings: 'Số cuộc họp bắt đầu trong kỳ có ít nhất một điểm cầu thuộc đơn vị.',
  onlineOrHybrid: 'Số cuộc họp có ít nhất một điểm cầu ngoài trụ sở đơn vị chủ trì đã kết nối.',
  onlineShare: 'Cuộc họp trực tuyến/kết hợp ÷ tổng số cuộc họp.',
  hours: 'Tổng (giờ kết thúc − giờ bắt đầu) của các cuộc họp, tính bằng giờ.',
  bridgesConnected: 'Tổng số điểm cầu đã kết nối, cộng qua các cuộc họp.',
  bridgesPerMeeting: 'Điểm cầu đã kết nối ÷ số cuộc họp.',
  bridgesByLevel: 'Điểm cầu đã kết nối, chia theo cấp tỉnh / huyện / xã.',
  invited: 'Tổng số đại biểu được triệu tập tại các điểm cầu.',
  attended: 'Tổng số đại biểu có mặt tại các điểm cầu.',
  attendanceRate: 'Đại biểu có mặt ÷ đại biểu được triệu tập.',
  joinedLocally: 'Đại biểu có mặt tại điểm cầu đã kết nối ngoài trụ sở đơn vị chủ trì (không phải đi lại).',
  documents: 'Số tài liệu phát hành điện tử cho các cuộc họp.',
  pages: 'Tổng số trang của các tài liệu (tài liệu không rõ số trang tính 0).',
  copiesAvoided: 'Tổng (số trang × số đại biểu được triệu tập) của từng tài liệu: số trang lẽ ra phải in.',
  qrPickups: 'Số lượt nhận tài liệu qua mã QR.',
  downloads: 'Số lượt tải tài liệu trên hệ thống.',
  pickedUpBeforeStartShare: 'Lượt nhận (QR + tải) trước giờ khai mạc ÷ tổng lượt nhận.',
  paperSavingVnd: 'Số trang lẽ ra phải in × đơn giá giấy và in (VND/trang).',
  travelKmAvoided: 'Tổng (2 × khoảng cách một chiều từ đơn vị đến trụ sở chủ trì × đại biểu họp tại chỗ), km.',
  travelSavingVnd: 'Km tránh được × đơn giá VND/km + đại biểu họp tại chỗ × công tác phí mỗi lượt.',
  travelHoursAvoided: 'Km tránh được ÷ tốc độ đi lại bình quân (km/h).',
  totalSavingVnd: 'Tiết kiệm giấy và in + tiết kiệm đi lại.',
  polls: 'Số cuộc biểu quyết đã mở.',
  pollTurnout: 'Tổng lượt bỏ phiếu ÷ tổng số đại biểu đủ điều kiện biểu quyết.',
};

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const HOUR = 3600_000;
// Months are reported in Vietnam time: a meeting at 23:30 UTC on the 31st belongs to the next month.
const VN_OFFSET = 7 * HOUR;
export const monthOf = (iso: string) => new Date(Date.parse(iso) + VN_OFFSET).toISOString().slice(0, 7);

/** Whether a bridge point counts as an online connection away from the host's seat. */
const isRemote = (b: BridgeFact) => b.connected && !b.atHostSeat;

function meetingSaving(m: MeetingFact, rates: Rates) {
  let km = 0;
  let local = 0;
  for (const b of m.bridges) {
    if (!isRemote(b)) continue;
    local += b.attended;
    km += 2 * b.distanceKm * b.attended;
  }
  const copies = m.documents.reduce((s, d) => s + (d.pages ?? 0) * d.invitedDelegates, 0);
  const paper = copies * rates.vndPerPage;
  const travel = km * rates.vndPerKm + local * rates.perDiemVnd;
  return { km, local, copies, paper, travel };
}

/** Every figure over a set of meetings. */
export function computeFigures(meetings: readonly MeetingFact[], rates: Rates): Figures {
  const byLevel: Record<BridgeTier, number> = { provincial: 0, district: 0, commune: 0 };
  let online = 0, hours = 0, connected = 0, invited = 0, attended = 0, local = 0, km = 0;
  let docs = 0, pages = 0, copies = 0, qr = 0, dl = 0, early = 0, paper = 0, travel = 0;
  let polls = 0, eligible = 0, voted = 0;
  for (const m of meetings) {
    hours += Math.max(0, Date.parse(m.endsAt) - Date.parse(m.startsAt)) / HOUR;
    if (m.bridges.some(isRemote)) online++;
    for (const b of m.bridges) {
      invited += b.invited;
      attended += b.attended;
      if (!b.connected) continue;
      connected++;
      byLevel[b.level]++;
    }
    for (const d of m.documents) {
      docs++;
      pages += d.pages ?? 0;
      qr += d.qrPickups;
      dl += d.downloads;
      early += d.pickedUpBeforeStart;
    }
    for (const p of m.polls) {
      polls++;
      eligible += p.eligible;
      voted += p.voted;
    }
    const s = meetingSaving(m, rates);
    km += s.km;
    local += s.local;
    copies += s.copies;
    paper += s.paper;
    travel += s.travel;
  }
  return {
    meetings: meetings.length,
    onlineOrHybrid: online,
    onlineShare: ratio(online, meetings.length),
    hours,
    bridgesConnected: connected,
    bridgesPerMeeting: ratio(connected, meetings.length),
    bridgesByLevel: byLevel,
    invited,
    attended,
    attendanceRate: ratio(attended, invited),
    joinedLocally: local,
    documents: docs,
    pages,
    copiesAvoided: copies,
    qrPickups: qr,
    downloads: dl,
    pickedUpBeforeStartShare: ratio(early, qr + dl),
    paperSavingVnd: paper,
    travelKmAvoided: km,
    travelSavingVnd: travel,
    travelHoursAvoided: ratio(km, rates.kmh),
    totalSavingVnd: paper + travel,
    polls,
    pollTurnout: ratio(voted, eligible),
  };
}

/** Meetings, online share and savings per month (Vietnam time), in month order. */
export function perMonth(meetings: readonly MeetingFact[], rates: Rates): MonthRow[] {
  const groups = new Map<string, MeetingFact[]>();
  for (const m of meetings) {
    const k = monthOf(m.startsAt);
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  return [...groups.keys()].sort().map((month) => {
    const f = computeFigures(groups.get(month)!, rates);
    return { month, meetings: f.meetings, onlineShare: f.onlineShare, savingVnd: f.totalSavingVnd };
  });
}

/**
 * Per-district comparison: each district's own bridge points (the district and its communes).
 * Paper savings are not split by district (a document is one copy per delegate wherever they sit),
 * so a district's saving is its travel saving.
 */
export function perDistrict(meetings: readonly MeetingFact[], rates: Rates): DistrictRow[] {
  const rows = new Map<number, DistrictRow>();
  for (const m of meetings) {
    const seen = new Set<number>();
    for (const b of m.bridges) {
      if (b.districtId === null) continue;
      const r = rows.get(b.districtId) ?? { districtId: b.districtId, meetings: 0, bridgesConnected: 0, joinedLocally: 0, savingVnd: 0 };
      rows.set(b.districtId, r);
      if (!seen.has(b.districtId)) {
        seen.add(b.districtId);
        r.meetings++;
      }
      if (!b.connected) continue;
      r.bridgesConnected++;
      if (!isRemote(b)) continue;
      r.joinedLocally += b.attended;
      r.savingVnd += 2 * b.distanceKm * b.attended * rates.vndPerKm + b.attended * rates.perDiemVnd;
    }
  }
  return [...rows.values()].sort((a, b) => a.districtId - b.districtId);
}

export function buildReport(current: readonly MeetingFact[], previous: readonly MeetingFact[], rates: Rates): Report {
  return {
    current: computeFigures(current, rates),
    previous: computeFigures(previous, rates),
    months: perMonth(current, rates),
    districts: perDistrict(current, rates),
  };
}

/** Whole months (in Vietnam time) from `a` to `b` when both are month starts, else null. */
function wholeMonths(a: number, b: number): number | null {
  const da = new Date(a + VN_OFFSET);
  const db = new Date(b + VN_OFFSET);
  const start = (d: Date) => d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
  if (!start(da) || !start(db)) return null;
  return (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + db.getUTCMonth() - da.getUTCMonth();
}

/**
 * The period just before [from, to): the same number of calendar months when the period is
 * whole months (a quarter compares with the previous quarter), else the same length of time.
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const f = Date.parse(from);
  const t = Date.parse(to);
  const months = wholeMonths(f, t);
  if (months === null) return { from: new Date(f - (t - f)).toISOString(), to: new Date(f).toISOString() };
  const d = new Date(f + VN_OFFSET);
  d.setUTCMonth(d.getUTCMonth() - months);
  return { from: new Date(d.getTime() - VN_OFFSET).toISOString(), to: new Date(f).toISOString() };
}
