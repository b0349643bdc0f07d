import { describe, expect, it } from 'vitest';
import { asciiFileName, dispositionFor, etagOf, planDownload } from '../../../server/src/modules/documents/documents.download.ts';
import { humanSize } from '@diemcau/shared';
import { esc } from '../../../server/src/lib/html.ts';
import { errorPage, landingPage, pickLang, printSheet } from '../../../server/src/modules/qr/qr.pages.ts';

const file = { size: 1000, sha256: 'ab'.repeat(32), mime: 'application/pdf', fileName: 'Báo cáo tổng kết năm 2025 – Đảng bộ.pdf' };
const get = (h: Partial<Parameters<typeof planDownload>[0]> = {}) => planDownload({ method: 'GET', ...h }, file);

describe('download planning', () => {
  it('serves the whole file with a strong ETag by default', () => {
    const p = get();
    expect(p).toMatchObject({ status: 200, start: 0, end: 999 });
    expect(p.headers).toMatchObject({ etag: `"${file.sha256}"`, 'accept-ranges': 'bytes', 'content-length': '1000', 'content-type': 'application/pdf' });
  });

  it('answers a single range with 206 and Content-Range', () => {
    expect(get({ range: 'bytes=100-199' })).toMatchObject({ status: 206, start: 100, end: 199, headers: { 'content-range': 'bytes 100-199/1000', 'content-length': '100' } });
    expect(get({ range: 'bytes=-10' })).toMatchObject({ status: 206, start: 990, end: 999 });
    expect(get({ range: 'bytes=995-' })).toMatchObject({ status: 206, start: 995, end: 999 });
    expect(get({ range: 'bytes=900-5000' })).toMatchObject({ status: 206, start: 900, end: 999 });
  });

  it('416 for unsatisfiable ranges; whole file for malformed or multiple ranges', () => {
    expect(get({ range: 'bytes=1000-1100' })).toMatchObject({ status: 416, headers: { 'content-range': 'bytes */1000' } });
    expect(get({ range: 'rubbish' })).toMatchObject({ status: 200 });
    expect(get({ range: 'bytes=0-1,500-600' })).toMatchObject({ status: 200 });
    expect(get({ range: 'bytes=0-10,5-20' })).toMatchObject({ status: 206, start: 0, end: 20 });
  });

  it('handles If-None-Match and If-Range', () => {
    expect(get({ ifNoneMatch: etagOf(file.sha256) }).status).toBe(304);
    expect(get({ ifNoneMatch: `"x", W/${etagOf(file.sha256)}` }).status).toBe(304);
    expect(get({ ifNoneMatch: '"other"' }).status).toBe(200);
    expect(get({ range: 'bytes=0-9', ifRange: etagOf(file.sha256) }).status).toBe(206);
    expect(get({ range: 'bytes=0-9', ifRange: '"stale"' }).status).toBe(200);
  });

  it('writes an RFC 5987 filename* for Vietnamese names with an ASCII fallback', () => {
    const h = dispositionFor(file.fileName);
    expect(h).toMatch(/^attachment; filename="Bao cao tong ket nam 2025 _ Dang bo.pdf"; filename\*=UTF-8''/);
    expect(decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(h)![1]!)).toBe(file.fileName);
    expect(dispositionFor('plain.pdf')).toBe('attachment; filename="plain.pdf"');
    expect(asciiFileName('Nghị quyết "số 5"\\.docx')).toBe('Nghi quyet _so 5__.docx');
    expect(dispositionFor('a\r\nSet-Cookie: x.pdf')).not.toMatch(/[\r\n]/);
    expect(dispositionFor('../../etc/passwd', 'inline')).toMatch(/^inline; filename="\.\._\.\._etc_passwd"/);
  });
});

describe('mobile pages', () => {
  it('picks Vietnamese unless ?lang=en', () => {
    expect(pickLang(undefined)).toBe('vi');
    expect(pickLang('en')).toBe('en');
    expect(pickLang(['en'])).toBe('vi');
  });

  it('error pages explain in Vietnamese, with an English toggle', () => {
    const vi = errorPage(401, 'expired', 'vi', '/q/abc');
    expect(vi).toContain('<html lang="vi">');
    expect(vi).toContain('Mã QR đã hết hạn');
    expect(vi).toContain('href="/q/abc?lang=en"');
    expect(vi).toContain('name="viewport"');
    expect(vi).not.toMatch(/<script|<link|https?:\/\//);
    const en = errorPage(403, 'revoked', 'en', '/q/abc');
    expect(en).toContain('This QR code has been revoked');
    expect(en).toContain('href="/q/abc"');
  });

  it('landing page lists documents with download links and escapes everything', () => {
    const html = landingPage(
      {
        meetingTitle: 'Hội nghị <Tỉnh ủy>',
        startsAt: '2025-06-02T01:00:00Z',
        holder: 'Nguyễn Văn A – Xã "Minh Xuân"',
        docs: [{ title: 'Báo cáo & tờ trình', fileName: 'bc.pdf', mime: 'application/pdf', size: 1572864, pages: 12, version: 2, href: '/q/t/files/5', agendaItemIds: [] }],
        agenda: [],
        signInOnly: 1,
        expiresAt: new Date('2025-06-05T01:00:00Z'),
        enterHref: '/q/t/session',
      },
      'vi',
      '/q/t',
    );
    expect(html).toContain('Hội nghị &lt;Tỉnh ủy&gt;');
    expect(html).toContain('Báo cáo &amp; tờ trình');
    expect(html).toContain('Xã &quot;Minh Xuân&quot;');
    expect(html).toContain('href="/q/t/files/5"');
    expect(html).toContain('1,5 MB · 12 trang · bản 2');
    expect(html).toContain('1 tài liệu mật');
    expect(html).not.toContain('<Tỉnh ủy>');
    expect(html).toContain('<form method="post" action="/q/t/session">');
    expect(html).toContain('Vào phòng họp');
  });

  it('landing page shows each document under its agenda item, the rest as general documents', () => {
    const doc = (title: string, agendaItemIds: number[]) => ({ title, fileName: 'x.pdf', mime: 'application/pdf', size: 10, pages: 1, version: 1, href: `/q/t/files/${title}`, agendaItemIds });
    const html = landingPage(
      {
        meetingTitle: 'Họp',
        startsAt: '2025-06-02T01:00:00Z',
        holder: 'A',
        docs: [doc('Chung', []), doc('Hai', [12]), doc('Một', [12, 11])],
        agenda: [{ id: 11, title: 'Khai mạc' }, { id: 12, title: 'Thảo luận' }],
        signInOnly: 0,
        expiresAt: new Date('2025-06-05T01:00:00Z'),
        enterHref: null,
      },
      'vi',
      '/q/t',
    );
    const order = ['<h3>Khai mạc</h3>', 'files/Một', '<h3>Thảo luận</h3>', 'files/Hai', '<h3>Tài liệu chung</h3>', 'files/Chung'].map((s) => html.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Listed once, under its first item in agenda order.
    expect(html.split('files/Một').length).toBe(2);
  });

  it('print sheet has one card per delegate, each naming the meeting, its date and place, and the code\'s validity', () => {
    const meeting = {
      title: 'Hội nghị Tỉnh ủy',
      startsAt: '2026-12-10T01:00:00Z',
      endsAt: '2026-12-10T09:00:00Z',
      place: 'Hội trường Tỉnh ủy',
      validFrom: new Date('2026-12-03T01:00:00Z'),
      validUntil: new Date('2026-12-11T09:00:00Z'),
    };
    const html = printSheet(meeting, [1, 2, 3].map((i) => ({ name: `Đại biểu ${i}`, unit: 'Xã X', svg: '<svg viewBox="0 0 1 1"></svg>', url: `u${i}` })), 'vi', '/p');
    expect(html.match(/class="q"/g)).toHaveLength(3);
    expect(html).toContain('@media print');
    const cards = html.split('class="q"').slice(1);
    for (const c of cards) {
      expect(c).toContain('Hội nghị Tỉnh ủy');
      expect(c).toContain('Hội trường Tỉnh ủy');
      expect(c).toContain('10 tháng 12, 2026');
      // Valid until the meeting's end plus the grace, shown in Vietnam time (16:00 on the 11th).
      expect(c).toMatch(/hiệu lực từ [^<]*3 tháng 12, 2026 đến lúc 16:00 [^<]*11 tháng 12, 2026/);
    }
    expect(cards.map((c) => /Đại biểu (\d)/.exec(c)![1])).toEqual(['1', '2', '3']);
  });

  it('helpers', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(humanSize(512, 'vi')).toBe('512 B');
    expect(humanSize(20 * 1024 * 1024, 'en')).toBe('20 MB');
  });
});
