import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DocumentReceivedEvent, QrTokenInfo } from '../../../shared/src/index.ts';
import { bearer, connect, nextEvent, request, type TestSocket } from '../../helpers/app.ts';
import { decodeQrPng, makePdf, patternBytes } from '../../helpers/document-fixtures.ts';
import { signQrToken, newJti } from '../../../server/src/modules/qr/qr.token.ts';
import { auditRows, publish, setup, uploadOk, type Env } from './helpers.ts';

let env: Env;
let pdf: Buffer;
const ids = { pub: 0, conf: 0, restricted: 0, other: 0 };
let chair: TestSocket;
let mine: QrTokenInfo;
const tokenOf = (t: QrTokenInfo) => decodeURIComponent(new URL(t.url).pathname.replace(/^\/q\//, ''));
const path = (t: QrTokenInfo) => new URL(t.url).pathname;

beforeAll(async () => {
  env = await setup();
  // A PDF with varied bytes, so a range check is meaningful.
  pdf = Buffer.concat([await makePdf(2), Buffer.from('\n%'), patternBytes(50_000)]);
  ids.pub = (await uploadOk(env, pdf, { title: 'Báo cáo công khai', name: 'Báo cáo số 1 – Tỉnh ủy.pdf' })).id;
  ids.restricted = (await uploadOk(env, await makePdf(1), { title: 'Chỉ cấp huyện', classification: 'restricted', audienceRoles: 'bridge_operator' })).id;
  ids.conf = (await uploadOk(env, await makePdf(1), { title: 'Mật', classification: 'confidential' })).id;
  chair = await connect(env.t.url, env.tokens.vanphong);
  const joined = await request(chair, 'meeting:join', { meetingId: env.meetingId });
  expect(joined.ok).toBe(true);
  const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/delegates`, headers: bearer(env.tokens.vanphong!) });
  expect(res.statusCode).toBe(200);
  const all = res.json() as QrTokenInfo[];
  expect(all).toHaveLength(30);
  mine = all.find((t) => t.subjectId === env.userId('daibieu01'))!;
});
afterAll(async () => {
  chair?.close();
  await env?.close();
});

describe('publishing', () => {
  it('notifies entitled participants live and keeps a pending list for the next login', async () => {
    const delegate = await connect(env.t.url, env.tokens.daibieu01);
    try {
      const live = nextEvent<{ document: { id: number; status: string } }>(delegate, 'document:published');
      // Every notification this delegate's socket receives, in order (one socket: delivery order is publish order).
      const heard: number[] = [];
      delegate.on('document:published', (e: { document: { id: number } }) => heard.push(e.document.id));
      await publish(env, ids.pub);
      expect((await live).document).toMatchObject({ id: ids.pub, status: 'published' });
      // Restricted to bridge operators: the delegate hears nothing.
      await publish(env, ids.restricted);
      await publish(env, ids.conf);
      const pending = await env.t.app.inject({ url: '/api/documents/notifications', headers: bearer(env.tokens.daibieu12!) });
      expect((pending.json() as { documentId: number }[]).map((n) => n.documentId)).toEqual([ids.pub, ids.conf]);
      const seen = await env.t.app.inject({ method: 'POST', url: '/api/documents/notifications/seen', headers: bearer(env.tokens.daibieu12!), payload: {} });
      expect(seen.statusCode).toBe(200);
      expect((await env.t.app.inject({ url: '/api/documents/notifications', headers: bearer(env.tokens.daibieu12!) })).json()).toEqual([]);
      // The confidential notice is published after the restricted one, so once it has arrived a
      // restricted notice would have arrived before it: the delegate heard the two it may hear, nothing else.
      await vi.waitFor(() => expect(heard).toContain(ids.conf), { timeout: 30_000, interval: 50 });
      expect(heard).toEqual([ids.pub, ids.conf]);
    } finally {
      delegate.close();
    }
  });
});

describe('QR codes', () => {
  it('the QR image decodes back to the signed URL on the public base URL', async () => {
    expect(mine.url.startsWith('http://192.0.2.10:3000/q/')).toBe(true);
    const png = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/qr/tokens/${mine.jti}/png`, headers: bearer(env.tokens.vanphong!) });
    expect(png.headers['content-type']).toBe('image/png');
    expect(decodeQrPng(png.rawPayload)).toBe(mine.url);
  });

  it('the landing page lists what the delegate may download, in Vietnamese', async () => {
    const res = await env.t.app.inject({ url: path(mine) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('Báo cáo công khai');
    expect(res.body).toContain(`${path(mine)}/files/${ids.pub}`);
    expect(res.body).not.toContain('Chỉ cấp huyện');
    expect(res.body).not.toContain(`/files/${ids.conf}`);
    expect(res.body).toContain('1 tài liệu mật');
    const en = await env.t.app.inject({ url: `${path(mine)}?lang=en` });
    expect(en.body).toContain('Download');
  });

  it('downloads by QR stream with Range, ETag and an RFC 5987 file name, and push a receipt', async () => {
    const url = `${path(mine)}/files/${ids.pub}`;
    const part = await env.t.app.inject({ url, headers: { range: 'bytes=1000-1999' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${pdf.length}`);
    expect(part.rawPayload.equals(pdf.subarray(1000, 2000))).toBe(true);
    const receiptsBefore = (env.t.app.db.$client.prepare('SELECT count(*) AS n FROM document_receipts').get() as { n: number }).n;
    expect(receiptsBefore).toBe(0); // a mid-file range is not a receipt

    const pushed = nextEvent<DocumentReceivedEvent>(chair, 'document:received');
    const full = await fetch(`${env.t.url}${url}`);
    expect(full.status).toBe(200);
    expect(full.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(full.headers.get('content-disposition')).toContain("filename*=UTF-8''B%C3%A1o%20c%C3%A1o");
    expect(Buffer.from(await full.arrayBuffer()).equals(pdf)).toBe(true);
    expect(await pushed).toMatchObject({ meetingId: env.meetingId, documentId: ids.pub, version: 1, userId: env.userId('daibieu01'), channel: 'qr' });
    const again = await fetch(`${env.t.url}${url}`, { headers: { 'if-none-match': full.headers.get('etag')! } });
    expect(again.status).toBe(304);

    const counts = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/receipts`, headers: bearer(env.tokens.vanphong!) });
    const pub = counts.json().byDocument.find((d: { documentId: number }) => d.documentId === ids.pub);
    expect(pub).toMatchObject({ received: 1, anonymous: 0 });
    expect(pub.expected).toBeGreaterThanOrEqual(30);
    const bp = counts.json().byBridgePoint.find((b: { received: number }) => b.received === 1);
    expect(bp.name).toBe('Điểm cầu Tỉnh ủy');
    // Delegates cannot see the counts.
    expect((await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/receipts`, headers: bearer(env.tokens.daibieu01!) })).statusCode).toBe(403);
  });

  it('web downloads are receipts too', async () => {
    const pushed = nextEvent<DocumentReceivedEvent>(chair, 'document:received');
    const res = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.pub}/download`, headers: bearer(env.tokens.daibieu12!) });
    expect(res.statusCode).toBe(200);
    expect(await pushed).toMatchObject({ channel: 'web', userId: env.userId('daibieu12') });
  });

  it('a confidential document by QR is a 403 page and an audit entry', async () => {
    const res = await env.t.app.inject({ url: `${path(mine)}/files/${ids.conf}` });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Tài liệu mật');
    expect(auditRows(env, 'document.confidential_link_refused').some((r) => r.target_id === String(ids.conf) && r.actor_user_id === env.userId('daibieu01'))).toBe(true);
  });

  it('venue QR: public documents only, receipts without a person', async () => {
    const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/venue`, headers: bearer(env.tokens.vanphong!), payload: {} });
    expect(res.statusCode).toBe(201);
    const venue = res.json() as QrTokenInfo;
    const page = await env.t.app.inject({ url: path(venue) });
    expect(page.body).toContain('Báo cáo công khai');
    expect(page.body).not.toContain('tài liệu mật');
    expect((await env.t.app.inject({ url: `${path(venue)}/files/${ids.restricted}` })).statusCode).toBe(404);
    expect((await env.t.app.inject({ url: `${path(venue)}/files/${ids.pub}` })).statusCode).toBe(200);
  });

  it('rejects expired, forged, tampered, wrong-meeting and revoked tokens', async () => {
    const app = env.t.app;
    const secret = env.t.config.secret;
    const db = app.db.$client;
    // Expired: a genuine, registered token of a meeting that ended (plus the grace) long ago.
    const chair = (db.prepare('SELECT chair_unit_id AS c FROM meetings WHERE id = ?').get(env.meetingId) as { c: number }).c;
    const old = await app.inject({ method: 'POST', url: '/api/meetings', headers: bearer(env.tokens.vanphong!), payload: { title: 'Họp cũ', kind: 'executive_committee', startsAt: '2020-01-01T01:00:00.000Z', endsAt: '2020-01-01T03:00:00.000Z', chairUnitId: chair } });
    expect(old.statusCode).toBe(201);
    const exp = signQrToken(secret, { kind: 'delegate', meetingId: old.json().id, subjectId: env.userId('daibieu01'), jti: newJti(), exp: Math.floor(Date.now() / 1000) + 3600 });
    db.prepare('INSERT INTO qr_tokens (jti, meeting_id, kind, subject_id, payload, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(exp.payload.split('.')[4], old.json().id, 'delegate', env.userId('daibieu01'), exp.payload, new Date().toISOString());
    const good = tokenOf(mine);
    const parts = good.split('.');
    const forged = [...parts.slice(0, 6), 'A'.repeat(22)].join('.');
    const tampered = [parts[0], parts[1], parts[2], (env.userId('daibieu02')).toString(36), ...parts.slice(4)].join('.');

    // Another meeting with a document: this delegate's token must not open it.
    const m = db.prepare('SELECT chair_unit_id AS c FROM meetings WHERE id = ?').get(env.meetingId) as { c: number };
    const created = await app.inject({ method: 'POST', url: '/api/meetings', headers: bearer(env.tokens.vanphong!), payload: { title: 'Họp khác', kind: 'executive_committee', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T03:00:00.000Z', chairUnitId: m.c } });
    expect(created.statusCode).toBe(201);
    const otherMeeting = created.json().id as number;
    const otherDoc = await uploadOk(env, await makePdf(1), { path: `/api/meetings/${otherMeeting}/documents` });

    const cases: [string, string, number, string, string][] = [
      ['expired', `/q/${exp.token}`, 401, 'TOKEN_EXPIRED', 'Mã QR đã hết hạn'],
      ['forged', `/q/${forged}`, 401, 'TOKEN_INVALID', 'Mã QR không hợp lệ'],
      ['tampered', `/q/${tampered}`, 401, 'TOKEN_INVALID', 'Mã QR không hợp lệ'],
      ['garbage', '/q/not-a-token', 401, 'TOKEN_INVALID', 'Mã QR không hợp lệ'],
      ['wrong meeting', `/q/${good}/files/${otherDoc.id}`, 403, 'FORBIDDEN', 'Mã QR không dùng cho cuộc họp này'],
    ];
    for (const [name, url, status, code, text] of cases) {
      const html = await app.inject({ url });
      expect(html.statusCode, name).toBe(status);
      expect(html.headers['content-type'], name).toContain('text/html');
      expect(html.body, name).toContain(text);
      const json = await app.inject({ url, headers: { accept: 'application/json' } });
      expect(json.statusCode, name).toBe(status);
      expect(json.json().error.code, name).toBe(code);
    }
    // Forged/tampered tokens do not even reveal whether a document exists.
    expect((await app.inject({ url: `/q/${forged}/files/999999` })).statusCode).toBe(401);

    const rev = await app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/tokens/${mine.jti}/revoke`, headers: bearer(env.tokens.vanphong!) });
    expect(rev.statusCode).toBe(200);
    expect(rev.json().revokedAt).toBeTruthy();
    const revoked = await app.inject({ url: `/q/${good}?lang=en` });
    expect(revoked.statusCode).toBe(403);
    expect(revoked.body).toContain('This QR code has been revoked');
    expect((await app.inject({ url: `/q/${good}/files/${ids.pub}`, headers: { accept: 'application/json' } })).json().error.code).toBe('TOKEN_REVOKED');
  });

  it('prints one QR per delegate with name and unit', async () => {
    const res = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/qr-sheet`, headers: bearer(env.tokens.vanphong!) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body.match(/<section class="q">/g)).toHaveLength(30);
    expect(res.body).toMatch(/<strong>[^<]+<\/strong><br>[^<]+ – Huyện /);
    expect((await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/qr-sheet`, headers: bearer(env.tokens.daibieu01!) })).statusCode).toBe(403);
  });

  it('the documents snapshot part arrives on meeting:join', async () => {
    const s = await connect(env.t.url, env.tokens['cau.tinh1']);
    try {
      const ack = await request<{ documents: { documents: { id: number }[] } }>(s, 'meeting:join', { meetingId: env.meetingId });
      expect(ack.ok).toBe(true);
      if (ack.ok) expect(ack.data.documents.documents.map((d) => d.id).sort()).toEqual([ids.pub, ids.restricted, ids.conf].sort());
    } finally {
      s.close();
    }
  });
});
