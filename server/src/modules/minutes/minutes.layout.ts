/**
 * The minutes as printed: one list of blocks that both the DOCX and the PDF
 * writers render, so the two files always say the same thing. The header
 * follows Hướng dẫn 36-HD/VPTW for Party bodies and Nghị định 30/2020/NĐ-CP
 * for state bodies. Confidential documents appear by number only (the model
 * never carries their titles).
 */
import { BRIDGE_LEVELS } from '@diemcau/shared';
import { LEVEL_NAME, type Minutes, type Tally } from './minutes.model.ts';
import type { MinutesStyle } from './minutes.schema.ts';

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}
export type Align = 'left' | 'center' | 'right' | 'justify';
export interface Para {
  kind: 'para';
  runs: Run[];
  align?: Align;
  size?: number;
  indent?: number;
}
export interface Table {
  kind: 'table';
  head: string[];
  rows: string[][];
  /** Relative column widths. */
  widths: number[];
}
export interface Columns {
  kind: 'columns';
  /** Two columns of centred paragraphs (the header, the signature blocks). */
  left: Para[];
  right: Para[];
}
export type Block = Para | Table | Columns;

export interface HeaderSettings {
  style: MinutesStyle;
  superior: string;
  issuer: string;
  symbol: string;
  place: string;
}

export interface PrintInput {
  model: Minutes;
  fields: Record<string, string>;
  header: HeaderSettings;
  version: number;
  changeNote: string | null;
}

const VN = 7 * 3600_000;
const vn = (ms: number) => new Date(ms + VN);
const pad = (n: number) => String(n).padStart(2, '0');
export const vnTime = (ms: number) => `${pad(vn(ms).getUTCHours())} giờ ${pad(vn(ms).getUTCMinutes())} phút`;
export const vnDate = (ms: number) => `ngày ${pad(vn(ms).getUTCDate())} tháng ${pad(vn(ms).getUTCMonth() + 1)} năm ${vn(ms).getUTCFullYear()}`;
const minSec = (ms: number) => `${Math.floor(ms / 60_000)} phút ${pad(Math.round((ms % 60_000) / 1000))} giây`;

const p = (text: string, o: Omit<Para, 'kind' | 'runs'> & Omit<Run, 'text'> = {}): Para => {
  const { align, size, indent, ...run } = o;
  return { kind: 'para', runs: [{ text, ...run }], ...(align && { align }), ...(size && { size }), ...(indent && { indent }) };
};
const labelled = (label: string, text: string, indent = 0): Para => ({ kind: 'para', runs: [{ text: `${label}: `, bold: true }, { text }], ...(indent && { indent }) });
const heading = (text: string): Para => p(text, { bold: true });
/** Multi-line typed text, one paragraph per line; an empty field prints as a dotted line to fill by hand. */
const typed = (text: string | undefined, indent = 0): Para[] =>
  (text ?? '').trim() ? text!.trim().split('\n').map((l) => p(l, { align: 'justify', ...(indent && { indent }) })) : [p('…………………………………………', { indent })];

const MODE = { open: 'biểu quyết công khai', secret: 'bỏ phiếu kín' } as const;
const KIND = { approval: 'tán thành / không tán thành', single: 'chọn một phương án', multiple: 'chọn nhiều phương án', election: 'bầu cử' } as const;
const MAJORITY = { simple: 'quá nửa số phiếu biểu quyết', absolute: 'quá nửa tổng số đại biểu có quyền biểu quyết', two_thirds: 'từ hai phần ba trở lên' } as const;

const tallyRow = (name: string, t: Tally) => [name, String(t.invited), String(t.presentInPerson), String(t.presentOnline), String(t.absent), String(t.unreported)];
const TALLY_HEAD = ['', 'Triệu tập', 'Có mặt trực tiếp', 'Có mặt trực tuyến', 'Vắng có lý do', 'Không báo cáo'];

function header(h: HeaderSettings, number: string, dateMs: number, title: string): Block[] {
  const no = `Số ${number.trim() || '……'}-${h.symbol}`;
  const placeDate = p(`${h.place}, ${vnDate(dateMs)}`, { italic: true, align: 'center', size: 11 });
  const c = (text: string, o: Omit<Run, 'text'> = {}) => p(text, { ...o, align: 'center', size: 11 });
  const columns: Columns =
    h.style === 'party'
      ? { kind: 'columns', left: [c(h.superior.toUpperCase()), c(h.issuer.toUpperCase(), { bold: true }), c('*'), c(no)], right: [c('ĐẢNG CỘNG SẢN VIỆT NAM', { bold: true, underline: true }), placeDate] }
      : {
          kind: 'columns',
          left: [c(h.superior.toUpperCase()), c(h.issuer.toUpperCase(), { bold: true, underline: true }), c(no.replace('Số ', 'Số: ').replace(`-${h.symbol}`, `/${h.symbol}`))],
          right: [c('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true }), c('Độc lập - Tự do - Hạnh phúc', { bold: true, underline: true }), placeDate],
        };
  return [columns, p('BIÊN BẢN', { bold: true, align: 'center', size: 14 }), p(title, { bold: true, align: 'center' })];
}

export function layout({ model: m, fields, header: h, version, changeNote }: PrintInput): Block[] {
  const start = m.meeting.startedAt ?? Date.parse(m.meeting.startsAt);
  const end = m.meeting.endedAt ?? Date.parse(m.meeting.endsAt);
  const a = m.attendance;
  const out: Block[] = [...header(h, fields.number ?? '', start, m.meeting.title)];
  if (version > 1) out.push(p(`Bản sửa đổi lần ${version - 1}, thay thế bản trước. Nội dung sửa đổi: ${changeNote ?? ''}`, { italic: true, align: 'center' }));

  out.push(heading('I. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC'));
  out.push(labelled('Thời gian', `bắt đầu lúc ${vnTime(start)} ${vnDate(start)}, kết thúc lúc ${vnTime(end)} ${vnDate(end)}`));
  out.push(labelled('Địa điểm', (fields.venue ?? '').trim() || m.meeting.chairUnitName));
  out.push(
    labelled(
      'Hình thức',
      m.meeting.form === 'online' ? `trực tuyến, kết nối ${m.meeting.bridgesConnected}/${m.meeting.bridgesInvited} điểm cầu` : 'trực tiếp',
    ),
  );
  out.push(labelled('Chủ trì', (fields.chair ?? '').trim() || '……'));
  out.push(labelled('Thư ký', (fields.secretary ?? '').trim() || '……'));

  out.push(heading('II. THÀNH PHẦN THAM DỰ'));
  const o = a.overall;
  out.push(
    p(
      `Đại biểu được triệu tập: ${o.invited}; có mặt ${o.presentInPerson + o.presentOnline} (trực tiếp ${o.presentInPerson}, trực tuyến ${o.presentOnline}); vắng có lý do ${o.absent}; không báo cáo ${o.unreported}.`,
    ),
  );
  out.push(p('Theo cấp:', { italic: true }));
  out.push({ kind: 'table', head: TALLY_HEAD, widths: [3, 2, 2, 2, 2, 2], rows: [...BRIDGE_LEVELS.map((l) => tallyRow(LEVEL_NAME[l], a.byLevel[l])), tallyRow('Tổng cộng', o)] });
  out.push(p('Theo điểm cầu:', { italic: true }));
  // Bridges invited with nobody summoned there that never connected are counted, not listed (a province has 200 communes).
  const listed = a.byBridge.filter((b) => b.connected || b.invited > 0);
  out.push({
    kind: 'table',
    head: ['Điểm cầu', 'Cấp', 'Kết nối', 'Triệu tập', 'Trực tiếp', 'Trực tuyến', 'Vắng'],
    widths: [4, 2, 2, 2, 2, 2, 2],
    rows: [
      ...listed.map((b) => [b.name, LEVEL_NAME[b.level], b.connected ? 'Có' : 'Không', String(b.invited), String(b.presentInPerson), String(b.presentOnline), String(b.absent + b.unreported)]),
      ...(a.ownDevice.invited ? [['Thiết bị cá nhân', '', '', String(a.ownDevice.invited), String(a.ownDevice.presentInPerson), String(a.ownDevice.presentOnline), String(a.ownDevice.absent + a.ownDevice.unreported)]] : []),
    ],
  });
  if (listed.length < a.byBridge.length) out.push(p(`${a.byBridge.length - listed.length} điểm cầu khác được mời nhưng không kết nối và không có đại biểu triệu tập tại điểm cầu.`, { italic: true }));
  if (a.absentees.length) {
    out.push(p('Đại biểu vắng mặt:', { italic: true }));
    a.absentees.forEach((x, i) => out.push(p(`${i + 1}. ${x.fullName} (${x.bridge}) – ${x.reason}`, { indent: 1 })));
  }

  out.push(heading('III. NỘI DUNG'));
  for (const it of m.items) {
    out.push(p(`${it.number}. ${it.title}`, { bold: true }));
    if (it.presenter) out.push(labelled('Trình bày', it.presenter, 1));
    out.push(
      labelled(
        'Thời gian',
        it.status === 'adjourned' ? `dự kiến ${it.plannedMinutes} phút; chưa thảo luận, chuyển sang phiên họp sau` : `${it.usedMinutes} phút / dự kiến ${it.plannedMinutes} phút${it.overMinutes ? ` (vượt ${it.overMinutes} phút)` : ''}`,
        1,
      ),
    );
    if (it.documents.length) out.push(labelled('Tài liệu', it.documents.map((d) => (d.title ? `số ${d.number}: ${d.title}` : `số ${d.number} (tài liệu mật)`)).join('; '), 1));
    if (it.speakers.length) {
      out.push(p('Ý kiến phát biểu:', { italic: true, indent: 1 }));
      for (const s of it.speakers) out.push(p(`${s.order}. ${s.name} (${s.bridge}) – ${minSec(s.durationMs)}${s.topic ? `: ${s.topic}` : ''}`, { indent: 2 }));
    }
    if (it.unheardRequests) out.push(p(`Số đăng ký phát biểu chưa được trình bày: ${it.unheardRequests}.`, { indent: 1 }));
    if (it.pollNumbers.length) out.push(labelled('Biểu quyết', it.pollNumbers.map((n) => `số ${n} (mục IV)`).join(', '), 1));
    out.push(p('Kết luận:', { bold: true, indent: 1 }));
    out.push(...typed(fields[`item:${it.id}`], 1));
  }

  out.push(heading('IV. KẾT QUẢ BIỂU QUYẾT'));
  if (!m.polls.length) out.push(p('Không có nội dung biểu quyết.'));
  for (const q of m.polls) {
    out.push(p(`${q.number}. ${q.title}`, { bold: true }));
    out.push(p(`Hình thức: ${MODE[q.mode]}; loại: ${KIND[q.kind]}; đa số: ${MAJORITY[q.majority]}.`, { indent: 1 }));
    out.push(p(`Đại biểu có quyền biểu quyết: ${q.eligible}; số phiếu: ${q.voted}; đủ số đại biểu cần thiết: ${q.quorumMet ? 'có' : 'không'} (có mặt ${q.present}/${q.invited}).`, { indent: 1 }));
    out.push({ kind: 'table', head: ['Phương án', 'Số phiếu', 'Tỷ lệ'], widths: [6, 2, 2], rows: q.options.map((x) => [x.label, String(x.votes), q.eligible ? `${Math.round((x.votes / q.eligible) * 1000) / 10}%` : '–']) });
    out.push(labelled('Kết quả', q.outcomeText, 1));
    out.push(p(`Mã kiểm chứng (đầu chuỗi băm): ${q.chainHead}`, { indent: 1, size: 8 }));
  }

  out.push(heading('V. KẾT LUẬN CHUNG'));
  out.push(...typed(fields.overall));
  out.push(p(`Cuộc họp kết thúc lúc ${vnTime(end)} ${vnDate(end)}.`, { italic: true }));
  const sign = (role: string, name: string | undefined): Para[] => [p(role, { bold: true, align: 'center' }), p('(Ký, ghi rõ họ tên)', { italic: true, align: 'center' }), p(' '), p(' '), p((name ?? '').trim() || ' ', { bold: true, align: 'center' })];
  out.push({ kind: 'columns', left: sign('THƯ KÝ', fields.secretary), right: sign('CHỦ TRÌ', fields.chair) });
  return out;
}
