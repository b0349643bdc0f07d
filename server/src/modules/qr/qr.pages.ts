/**
 * Server-rendered pages for phones and paper: the QR landing page, the
 * 401/403/404 error pages and the printable QR sheet. Vietnamese by default,
 * English with `?lang=en`. Large type and big tap targets (many delegates are
 * elderly); no scripts, fonts or CDNs (the LAN has no internet, and the CSP
 * allows no inline script).
 */
import { byAgendaItem, humanSize, type UiLang } from '@diemcau/shared';
import { esc } from '../../lib/html.ts';

export type Lang = UiLang;

/** `?lang=en` wins; otherwise Vietnamese. */
export const pickLang = (q: unknown): Lang => (q === 'en' ? 'en' : 'vi');


const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans","Noto Sans",Roboto,Arial,sans-serif;font-size:20px;line-height:1.5;color:#1a1a1a;background:#f4f1ea}
main{max-width:720px;margin:0 auto;padding:16px}
header.band{background:#a50e0e;color:#fff;padding:14px 16px}
header.band strong{display:block;font-size:22px}
h1{font-size:26px;line-height:1.3;margin:16px 0 8px}
h2{font-size:22px;margin:24px 0 8px}
.lang{float:right;color:#fff;font-size:18px;padding:4px 10px;border:2px solid #fff;border-radius:8px;text-decoration:none}
.card{background:#fff;border-radius:12px;padding:16px;margin:12px 0;box-shadow:0 1px 3px #0002}
.meta{color:#555;font-size:18px}
a.btn,button.btn{display:block;width:100%;border:0;cursor:pointer;font-family:inherit;text-align:center;background:#0b5cad;color:#fff;font-size:22px;font-weight:bold;padding:16px;border-radius:10px;text-decoration:none;margin-top:12px;min-height:56px}
a.btn:focus,a.btn:hover,button.btn:focus,button.btn:hover{background:#08457f;outline:4px solid #f2b705}
.note{background:#fff7d6;border-left:6px solid #f2b705;padding:12px 16px;border-radius:8px}
.err{font-size:72px;font-weight:bold;color:#a50e0e;margin:8px 0 0}
`;

function layout(lang: Lang, title: string, body: string, toggleHref: string): string {
  const other = lang === 'vi' ? { href: `${toggleHref}?lang=en`, label: 'English' } : { href: toggleHref, label: 'Tiếng Việt' };
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><header class="band"><a class="lang" href="${esc(other.href)}" hreflang="${lang === 'vi' ? 'en' : 'vi'}">${other.label}</a>
<strong>diemcau</strong>${lang === 'vi' ? 'Tài liệu cuộc họp' : 'Meeting materials'}</header>
<main>${body}</main></body></html>`;
}

/** What went wrong, as the error page explains it. */
export type ErrorKind =
  | 'expired'
  | 'invalid'
  | 'revoked'
  | 'wrong_meeting'
  | 'confidential'
  | 'forbidden'
  | 'not_found'
  | 'unauthenticated';

const ERRORS: Record<ErrorKind, Record<Lang, [string, string]>> = {
  expired: {
    vi: ['Mã QR đã hết hạn', 'Đường dẫn này không còn dùng được. Xin liên hệ Văn phòng (bộ phận thư ký) để được cấp mã mới.'],
    en: ['This QR code has expired', 'This link can no longer be used. Please ask the secretariat for a new code.'],
  },
  invalid: {
    vi: ['Mã QR không hợp lệ', 'Đường dẫn không đúng hoặc đã bị sửa đổi. Xin quét lại mã QR trên giấy mời, hoặc liên hệ Văn phòng.'],
    en: ['Invalid QR code', 'The link is wrong or has been altered. Please scan the QR code on your invitation again, or contact the secretariat.'],
  },
  revoked: {
    vi: ['Mã QR đã bị thu hồi', 'Văn phòng đã thu hồi mã này. Xin liên hệ Văn phòng để được cấp mã mới.'],
    en: ['This QR code has been revoked', 'The secretariat has withdrawn this code. Please ask them for a new one.'],
  },
  wrong_meeting: {
    vi: ['Mã QR không dùng cho cuộc họp này', 'Mã này thuộc một cuộc họp khác. Xin quét đúng mã QR của cuộc họp.'],
    en: ['This QR code is for another meeting', 'Please scan the QR code of this meeting.'],
  },
  confidential: {
    vi: ['Tài liệu mật', 'Tài liệu mật không được tải về qua đường dẫn hay mã QR. Xin đăng nhập hệ thống để xem trực tiếp. Lần truy cập này đã được ghi lại.'],
    en: ['Confidential document', 'Confidential documents cannot be downloaded by link or QR code. Sign in to view them. This attempt has been recorded.'],
  },
  forbidden: {
    vi: ['Không có quyền truy cập', 'Bạn không được phép xem tài liệu này.'],
    en: ['Access denied', 'You are not allowed to see this document.'],
  },
  not_found: {
    vi: ['Không tìm thấy', 'Tài liệu hoặc trang này không tồn tại.'],
    en: ['Not found', 'This document or page does not exist.'],
  },
  unauthenticated: {
    vi: ['Cần đăng nhập', 'Xin đăng nhập hệ thống để tiếp tục.'],
    en: ['Sign-in required', 'Please sign in to continue.'],
  },
};

/** The title and explanation of an error, e.g. for JSON bodies. */
export const errorText = (kind: ErrorKind, lang: Lang = 'vi') => ERRORS[kind][lang];

/** A full error page; `path` is the current path, used for the language toggle. */
export function errorPage(status: number, kind: ErrorKind, lang: Lang, path: string): string {
  const [title, text] = ERRORS[kind][lang];
  return layout(lang, title, `<p class="err">${status}</p><h1>${esc(title)}</h1><p class="card">${esc(text)}</p>`, path);
}

export interface LandingDoc {
  title: string;
  fileName: string;
  mime: string;
  size: number;
  pages: number | null;
  version: number;
  href: string;
  /** Agenda items that list it; the page shows it under the first of them. */
  agendaItemIds: readonly number[];
}

export interface LandingData {
  meetingTitle: string;
  startsAt: string;
  /** Whose QR this is: a delegate's name and unit, or the venue. */
  holder: string;
  docs: LandingDoc[];
  /** The meeting's agenda, in order, to group the documents by item. */
  agenda: readonly { id: number; title: string }[];
  /** Documents the holder may only view after signing in (confidential). */
  signInOnly: number;
  expiresAt: Date;
  /** Where "enter the meeting" posts to; null for venue codes. */
  enterHref: string | null;
}

const timeFmt = (lang: Lang) =>
  new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'full', timeStyle: 'short' });

const kindLabel = (mime: string) =>
  mime === 'application/pdf' ? 'PDF' : mime.includes('wordprocessing') ? 'Word' : mime.includes('spreadsheet') ? 'Excel' : mime.includes('presentation') ? 'PowerPoint' : 'Ảnh';

/** The page a phone opens after scanning a QR code. */
export function landingPage(d: LandingData, lang: Lang, path: string): string {
  const vi = lang === 'vi';
  const fmt = timeFmt(lang);
  const card = (doc: LandingDoc) => {
      const facts = [kindLabel(doc.mime), humanSize(doc.size, lang)];
      if (doc.pages) facts.push(vi ? `${doc.pages} trang` : `${doc.pages} pages`);
      if (doc.version > 1) facts.push(vi ? `bản ${doc.version}` : `version ${doc.version}`);
      return `<li class="card"><strong>${esc(doc.title)}</strong><div class="meta">${esc(facts.join(' · '))}</div>
<a class="btn" href="${esc(doc.href)}" download="${esc(doc.fileName)}">${vi ? 'Tải về' : 'Download'}</a></li>`;
  };
  const groups = byAgendaItem(d.docs, d.agenda);
  const items = groups
    .map((g) => {
      const heading = groups.length > 1 || g.itemId != null ? `<h3>${esc(g.title ?? (vi ? 'Tài liệu chung' : 'General documents'))}</h3>` : '';
      return `${heading}<ul style="list-style:none;padding:0;margin:0">${g.docs.map(card).join('\n')}</ul>`;
    })
    .join('\n');
  const none = `<p class="card">${vi ? 'Chưa có tài liệu nào được gửi cho bạn.' : 'No documents have been sent to you yet.'}</p>`;
  const signIn = d.signInOnly
    ? `<p class="note">${vi ? `Có ${d.signInOnly} tài liệu mật chỉ xem được sau khi đăng nhập hệ thống.` : `${d.signInOnly} confidential document(s) can only be viewed after signing in.`}</p>`
    : '';
  const body = `<h1>${esc(d.meetingTitle)}</h1>
<p class="meta">${esc(fmt.format(new Date(d.startsAt)))}</p>
<p>${vi ? 'Mã QR của' : 'QR code of'}: <strong>${esc(d.holder)}</strong></p>
${d.enterHref ? `<form method="post" action="${esc(d.enterHref)}"><button class="btn" type="submit">${vi ? 'Vào phòng họp' : 'Enter the meeting'}</button></form><p class="meta">${vi ? 'Xem chương trình, biểu quyết và đăng ký phát biểu.' : 'Follow the agenda, vote and ask to speak.'}</p>` : ''}
<h2>${vi ? 'Tài liệu' : 'Documents'} (${d.docs.length})</h2>
${d.docs.length ? items : none}
${signIn}
<p class="meta">${vi ? 'Mã có hiệu lực đến' : 'Valid until'} ${esc(fmt.format(d.expiresAt))}.</p>`;
  return layout(lang, d.meetingTitle, body, path);
}

export interface SheetEntry {
  name: string;
  unit: string;
  svg: string;
  url: string;
}

/** The meeting a sheet is for, and how long its codes work. */
export interface SheetMeeting {
  title: string;
  startsAt: string;
  endsAt: string;
  place: string;
  validFrom: Date;
  validUntil: Date;
}

/** Printable A4 sheet, one QR card per delegate (print from the browser); each card names the meeting and the code's validity. */
export function printSheet(m: SheetMeeting, entries: SheetEntry[], lang: Lang, path: string): string {
  const vi = lang === 'vi';
  const fmt = timeFmt(lang);
  const meetingTitle = m.title;
  const when = `${fmt.format(new Date(m.startsAt))} – ${fmt.format(new Date(m.endsAt))}`;
  const validity = vi ? `Mã có hiệu lực từ ${fmt.format(m.validFrom)} đến ${fmt.format(m.validUntil)}` : `Code valid from ${fmt.format(m.validFrom)} until ${fmt.format(m.validUntil)}`;
  const cards = entries
    .map(
      (e) => `<section class="q"><div class="svg">${e.svg}</div><div><small>${esc(meetingTitle)}<br>${esc(when)}${m.place ? `<br>${esc(m.place)}` : ''}</small>
<br><strong>${esc(e.name)}</strong><br>${esc(e.unit)}
<br><small>${vi ? 'Quét mã để nhận tài liệu' : 'Scan to get the materials'}. ${esc(validity)}.</small></div></section>`,
    )
    .join('\n');
  const css = `body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;padding:12mm;font-size:14pt}
h1{font-size:18pt;margin:0 0 4mm}.hint{color:#555}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:6mm}
.q{border:1px dashed #888;padding:4mm;display:flex;gap:4mm;align-items:center;break-inside:avoid}
.svg svg{width:42mm;height:42mm;display:block}
@media print{.hint{display:none}body{padding:8mm}@page{size:A4;margin:8mm}}`;
  const toggle = vi ? `<a href="${esc(path)}?lang=en">English</a>` : `<a href="${esc(path)}">Tiếng Việt</a>`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(meetingTitle)} – QR</title><style>${css}</style></head>
<body><p class="hint">${vi ? 'Dùng lệnh In của trình duyệt (Ctrl+P) để in ra giấy hoặc lưu PDF.' : 'Use the browser Print command (Ctrl+P) to print or save as PDF.'} ${toggle}</p>
<h1>${esc(meetingTitle)}</h1><p>${esc(when)}${m.place ? ` · ${esc(m.place)}` : ''}</p><div class="grid">${cards}</div></body></html>`;
}
