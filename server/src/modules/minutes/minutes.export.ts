/**
 * Tables beside the minutes, as CSV (csv-stringify, with a BOM so
 * spreadsheet programs read Vietnamese) and XLSX (exceljs): attendance,
 * speakers, poll results with per-bridge subtotals, per-bridge attendance
 * subtotals, document receipts and confidential views. A confidential
 * document appears by its number only, as in the minutes.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Store } from '../../db/database.ts';
import { confidentialViewLog, documentTitles, receiptLog } from '../documents/documents.receipts.ts';
import { LEVEL_NAME, type Minutes } from './minutes.model.ts';
import type { ExportTable } from './minutes.types.ts';

export interface Sheet {
  title: string;
  head: string[];
  rows: (string | number)[][];
}

const STATUS: Record<string, string> = { present_online: 'Có mặt trực tuyến', present_in_person: 'Có mặt trực tiếp', absent: 'Vắng có lý do', unknown: 'Không báo cáo' };
const vnIso = (ms: number) => new Date(ms + 7 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);

/** The rows of one table; `people` are the delegates as the room recorded them. */
export async function sheetOf(s: Store, meetingId: number, m: Minutes, table: ExportTable, people: { fullName: string; bridge: string; level: string; status: string; reason: string | null }[]): Promise<Sheet> {
  const docNo = new Map<number, { n: number; title: string | null }>();
  const docs = await documentTitles(s, meetingId);
  // Numbers as in the minutes: published documents in id order.
  docs.filter((d) => d.publishedAt !== null).forEach((d, i) => docNo.set(d.id, { n: i + 1, title: m.documents[i]?.title ?? null }));
  const docCells = (id: number) => [docNo.get(id)?.n ?? '', docNo.get(id)?.title ?? 'Tài liệu mật'];
  switch (table) {
    case 'attendance':
      return { title: 'Điểm danh', head: ['Họ và tên', 'Cấp', 'Điểm cầu', 'Tình trạng', 'Lý do vắng'], rows: people.map((p) => [p.fullName, p.level, p.bridge, STATUS[p.status] ?? p.status, p.reason ?? '']) };
    case 'bridges':
      return {
        title: 'Theo điểm cầu',
        head: ['Điểm cầu', 'Cấp', 'Kết nối', 'Triệu tập', 'Có mặt trực tiếp', 'Có mặt trực tuyến', 'Vắng có lý do', 'Không báo cáo', 'Số người tại điểm cầu'],
        rows: m.attendance.byBridge.map((b) => [b.name, LEVEL_NAME[b.level], b.connected ? 'Có' : 'Không', b.invited, b.presentInPerson, b.presentOnline, b.absent, b.unreported, b.headCount]),
      };
    case 'speakers':
      return {
        title: 'Phát biểu',
        head: ['Nội dung số', 'Nội dung', 'Thứ tự', 'Người phát biểu', 'Điểm cầu', 'Bắt đầu', 'Thời lượng (giây)', 'Chủ đề'],
        rows: m.items.flatMap((it) => it.speakers.map((s) => [it.number, it.title, s.order, s.name, s.bridge, vnIso(s.startedAt), Math.round(s.durationMs / 1000), s.topic])),
      };
    case 'polls':
      return {
        title: 'Biểu quyết',
        head: ['Số', 'Nội dung', 'Hình thức', 'Phạm vi', 'Điểm cầu', 'Có quyền biểu quyết', 'Đã biểu quyết', 'Phương án', 'Số phiếu', 'Kết quả', 'Đầu chuỗi băm'],
        rows: m.polls.flatMap((p) => [
          ...p.options.map((o) => [p.number, p.title, p.mode === 'secret' ? 'Bỏ phiếu kín' : 'Công khai', 'Tổng', '', p.eligible, p.voted, o.label, o.votes, p.outcomeText, p.chainHead]),
          ...p.byBridge.flatMap((b) =>
            b.counts ? b.counts.map((c) => [p.number, p.title, 'Công khai', LEVEL_NAME[b.level], b.name, b.eligible, b.voted, c.label, c.votes, '', '']) : [[p.number, p.title, 'Bỏ phiếu kín', LEVEL_NAME[b.level], b.name, b.eligible, b.voted, '', '', '', '']],
          ),
        ]),
      };
    case 'receipts': {
      const rows = await receiptLog(s, meetingId);
      return { title: 'Nhận tài liệu', head: ['Tài liệu số', 'Tài liệu', 'Phiên bản', 'Người nhận', 'Điểm cầu', 'Kênh', 'Thời điểm (UTC)'], rows: rows.map((r) => [...docCells(r.documentId), r.version, r.name ?? '(mã QR hội trường)', r.bridge ?? '', r.channel === 'qr' ? 'QR' : 'Tải về', r.at]) };
    }
    case 'views': {
      const rows = await confidentialViewLog(s, meetingId);
      return { title: 'Xem tài liệu mật', head: ['Tài liệu số', 'Tài liệu', 'Phiên bản', 'Người xem', 'Trang', 'Thời điểm (UTC)'], rows: rows.map((r) => [...docCells(r.documentId), r.version, r.name, r.page, r.at]) };
    }
  }
}

export const sheetCsv = (s: Sheet): string => '\uFEFF' + stringify([s.head, ...s.rows]);

export async function sheetXlsx(s: Sheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(s.title);
  ws.columns = s.head.map((h) => ({ width: Math.max(12, Math.min(40, h.length + 6)) }));
  ws.addRow(s.head).font = { bold: true };
  for (const r of s.rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
