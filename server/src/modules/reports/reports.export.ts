/**
 * The report as XLSX (exceljs) and PDF (pdf-lib with the Unicode font the
 * confidential viewer uses). Both list the same rows: figure, this period,
 * previous period and the method, so an auditor can recompute each figure.
 */
import { readFile } from 'node:fs/promises';
import fontkit from '@cantoo/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import ExcelJS from 'exceljs';
import { DEFAULT_FONT } from '../documents/documents.render.ts';
import type { Figures } from './reports.compute.ts';
import type { ReportView } from './reports.service.ts';

export const LABELS: Record<Exclude<keyof Figures, 'bridgesByLevel'>, string> = {
  meetings: 'Số cuộc họp',
  onlineOrHybrid: 'Cuộc họp trực tuyến/kết hợp',
  onlineShare: 'Tỷ lệ họp trực tuyến/kết hợp',
  hours: 'Số giờ họp',
  bridgesConnected: 'Lượt điểm cầu kết nối',
  bridgesPerMeeting: 'Điểm cầu bình quân mỗi cuộc họp',
  invited: 'Đại biểu được triệu tập',
  attended: 'Đại biểu có mặt',
  attendanceRate: 'Tỷ lệ tham dự',
  joinedLocally: 'Đại biểu họp tại chỗ (không đi lại)',
  documents: 'Tài liệu phát hành điện tử',
  pages: 'Số trang tài liệu',
  copiesAvoided: 'Số trang lẽ ra phải in',
  qrPickups: 'Lượt nhận qua QR',
  downloads: 'Lượt tải tài liệu',
  pickedUpBeforeStartShare: 'Tỷ lệ nhận trước giờ họp',
  paperSavingVnd: 'Tiết kiệm giấy và in (VND)',
  travelKmAvoided: 'Km đi lại tránh được',
  travelSavingVnd: 'Tiết kiệm đi lại (VND)',
  travelHoursAvoided: 'Giờ đi lại tránh được',
  totalSavingVnd: 'Tổng tiết kiệm (VND)',
  polls: 'Số cuộc biểu quyết',
  pollTurnout: 'Tỷ lệ bỏ phiếu',
};

const SHARES = new Set(['onlineShare', 'attendanceRate', 'pickedUpBeforeStartShare', 'pollTurnout']);
const num = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** A figure as printed: shares in %, the rest rounded to one decimal. */
export function formatFigure(key: string, v: number): string {
  return SHARES.has(key) ? `${num.format(v * 100)}%` : num.format(v);
}

export interface Row {
  key: string;
  label: string;
  current: number;
  previous: number;
  method: string;
}

/** Every printed row, bridges per level expanded into three. */
export function reportRows(r: ReportView): Row[] {
  const rows: Row[] = (Object.keys(LABELS) as (keyof typeof LABELS)[]).map((k) => ({
    key: k,
    label: LABELS[k],
    current: r.current[k],
    previous: r.previous[k],
    method: r.methods[k],
  }));
  const levels = { provincial: 'cấp tỉnh', district: 'cấp huyện', commune: 'cấp xã' } as const;
  const at = rows.findIndex((x) => x.key === 'bridgesPerMeeting') + 1;
  rows.splice(
    at,
    0,
    ...(Object.keys(levels) as (keyof typeof levels)[]).map((l) => ({
      key: `bridges.${l}`,
      label: `Điểm cầu ${levels[l]} kết nối`,
      current: r.current.bridgesByLevel[l],
      previous: r.previous.bridgesByLevel[l],
      method: r.methods.bridgesByLevel,
    })),
  );
  return rows;
}

const day = (iso: string) => iso.slice(0, 10);
export const reportTitle = (r: ReportView) => `Báo cáo họp không giấy – ${r.unit.name} – ${day(r.period.from)} đến ${day(r.period.to)}`;
const ratesLine = (r: ReportView) =>
  `Đơn giá: ${num.format(r.rates.vndPerPage)} VND/trang; ${num.format(r.rates.vndPerKm)} VND/km; công tác phí ${num.format(r.rates.perDiemVnd)} VND/lượt; tốc độ ${r.rates.kmh} km/h.`;

export async function reportXlsx(r: ReportView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Báo cáo');
  ws.columns = [{ width: 38 }, { width: 18 }, { width: 18 }, { width: 90 }];
  ws.addRow([reportTitle(r)]).font = { bold: true, size: 14 };
  ws.addRow([ratesLine(r)]);
  ws.addRow(['Chỉ tiêu', 'Kỳ này', 'Kỳ trước', 'Cách tính']).font = { bold: true };
  for (const row of reportRows(r)) ws.addRow([row.label, row.current, row.previous, row.method]);
  const months = wb.addWorksheet('Theo tháng');
  months.addRow(['Tháng', 'Số cuộc họp', 'Tỷ lệ trực tuyến', 'Tiết kiệm (VND)']).font = { bold: true };
  for (const m of r.months) months.addRow([m.month, m.meetings, m.onlineShare, m.savingVnd]);
  const districts = wb.addWorksheet('Theo huyện');
  districts.addRow(['Huyện', 'Số cuộc họp', 'Lượt điểm cầu kết nối', 'Đại biểu họp tại chỗ', 'Tiết kiệm đi lại (VND)']).font = { bold: true };
  for (const d of r.districts) districts.addRow([r.districtNames[d.districtId], d.meetings, d.bridgesConnected, d.joinedLocally, d.savingVnd]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const A4 = { w: 595, h: 842 };
const M = 40;

/** Lines of `text` that fit `width` at `size`. */
function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

/** A labelled bar chart; values drawn above the bars so the printout reads without colour. */
function barChart(page: PDFPage, font: PDFFont, title: string, bars: { label: string; value: number; text: string }[], x: number, y: number, w: number, h: number) {
  page.drawText(title, { x, y: y + h + 8, size: 10, font });
  page.drawLine({ start: { x, y }, end: { x: x + w, y }, thickness: 0.8, color: rgb(0.3, 0.3, 0.3) });
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const slot = w / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const bh = (b.value / max) * (h - 24);
    const bx = x + i * slot + slot * 0.15;
    page.drawRectangle({ x: bx, y, width: slot * 0.7, height: bh, color: rgb(0.64, 0.1, 0.1) });
    page.drawText(b.text, { x: bx, y: y + bh + 2, size: 6, font });
    page.drawText(b.label, { x: bx, y: y - 9, size: 6, font });
  });
}

export async function reportPdf(r: ReportView, fontFile = DEFAULT_FONT): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(await readFile(fontFile), { subset: true });
  pdf.setTitle(reportTitle(r));
  let page = pdf.addPage([A4.w, A4.h]);
  let y = A4.h - M;
  const line = (text: string, size: number, x = M, width = A4.w - 2 * M) => {
    for (const l of wrap(font, text, size, width)) {
      if (y < M + size) {
        page = pdf.addPage([A4.w, A4.h]);
        y = A4.h - M;
      }
      page.drawText(l, { x, y, size, font });
      y -= size + 3;
    }
  };
  line(reportTitle(r), 14);
  line(`Kỳ trước: ${day(r.previousPeriod.from)} đến ${day(r.previousPeriod.to)}. ${ratesLine(r)}`, 8);
  y -= 6;
  for (const row of reportRows(r)) {
    line(`${row.label}: ${formatFigure(row.key, row.current)} (kỳ trước: ${formatFigure(row.key, row.previous)})`, 10);
    line(`Cách tính: ${row.method}`, 7, M + 10, A4.w - 2 * M - 10);
  }
  // Charts on their own page, the same four series the web page draws.
  page = pdf.addPage([A4.w, A4.h]);
  const cw = A4.w - 2 * M;
  const ch = 140;
  const mLabel = (m: string) => m.slice(5) + '/' + m.slice(2, 4);
  const charts = [
    { title: 'Số cuộc họp theo tháng', bars: r.months.map((m) => ({ label: mLabel(m.month), value: m.meetings, text: String(m.meetings) })) },
    { title: 'Tỷ lệ họp trực tuyến/kết hợp theo tháng', bars: r.months.map((m) => ({ label: mLabel(m.month), value: m.onlineShare, text: formatFigure('onlineShare', m.onlineShare) })) },
    { title: 'Tiết kiệm theo tháng (triệu VND)', bars: r.months.map((m) => ({ label: mLabel(m.month), value: m.savingVnd, text: num.format(m.savingVnd / 1e6) })) },
    {
      title: 'Tiết kiệm đi lại theo huyện (triệu VND)',
      bars: r.districts.map((d) => ({ label: (r.districtNames[d.districtId] ?? '').replace(/^(Huyện|Thị xã|Thành phố) /, '').slice(0, 9), value: d.savingVnd, text: num.format(d.savingVnd / 1e6) })),
    },
  ];
  charts.forEach((c, i) => barChart(page, font, c.title, c.bars, M, A4.h - M - (i + 1) * (ch + 50), cw, ch));
  return Buffer.from(await pdf.save());
}
