import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { bearer } from '../../helpers/app.ts';
import { makeExe, makeOoxml, makePdf, makePng, patternBytes } from '../../helpers/document-fixtures.ts';
import { setup, upload, uploadOk, type Env } from './helpers.ts';

let env: Env;
beforeEach(async () => {
  env = await setup({ uploadMaxBytes: 256 * 1024 });
});
afterEach(async () => {
  await env.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const filesDir = () => join(env.t.dataDir, 'files');
const docCount = () => (env.t.app.db.$client.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;

describe('uploads', () => {
  it('stores a PDF by content hash with size, pages and version 1', async () => {
    const pdf = await makePdf(4);
    const doc = await uploadOk(env, pdf, { name: 'Báo cáo sơ kết.pdf', title: 'Báo cáo sơ kết 6 tháng' });
    expect(doc).toMatchObject({ title: 'Báo cáo sơ kết 6 tháng', fileName: 'Báo cáo sơ kết.pdf', mime: 'application/pdf', size: pdf.length, sha256: sha(pdf), pages: 4, version: 1, status: 'draft', classification: 'public_to_meeting' });
    expect(readFileSync(join(filesDir(), sha(pdf))).equals(pdf)).toBe(true);
    expect(readdirSync(join(filesDir(), '.tmp'))).toEqual([]);
    const audit = env.t.app.db.$client.prepare("SELECT * FROM audit_log WHERE action = 'document.upload'").all();
    expect(audit).toHaveLength(1);
  });

  it('accepts Office documents and images, sniffed from the bytes', async () => {
    for (const kind of ['docx', 'xlsx', 'pptx'] as const) {
      const d = await uploadOk(env, makeOoxml(kind), { name: `tep.${kind}` });
      expect(d.mime).toContain('openxmlformats');
      expect(d.pages).toBeNull();
    }
    expect(await uploadOk(env, makePng(), { name: 'so-do.png' })).toMatchObject({ mime: 'image/png', pages: 1 });
  });

  it('a new version keeps the old one on record', async () => {
    const v1 = await makePdf(1, 'v1');
    const v2 = await makePdf(2, 'v2');
    const doc = await uploadOk(env, v1, { name: 'du-thao.pdf' });
    const res = await upload(env, v2, { name: 'du-thao-sua.pdf', path: `/api/meetings/${env.meetingId}/documents/${doc.id}/versions` });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: doc.id, version: 2, pages: 2, sha256: sha(v2) });
    const detail = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${doc.id}`, headers: bearer(env.tokens.vanphong!) });
    expect(detail.json().versions.map((v: { version: number; sha256: string }) => [v.version, v.sha256])).toEqual([[2, sha(v2)], [1, sha(v1)]]);
    expect(existsSync(join(filesDir(), sha(v1)))).toBe(true);
    // The old version stays downloadable by number.
    const old = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${doc.id}/download?version=1`, headers: bearer(env.tokens.vanphong!) });
    expect(old.statusCode).toBe(200);
    expect(old.rawPayload.equals(v1)).toBe(true);
  });

  it('refuses files over the limit with 413 and keeps nothing', async () => {
    const res = await upload(env, patternBytes(300 * 1024), { name: 'big.pdf' });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(docCount()).toBe(0);
    expect(readdirSync(join(filesDir(), '.tmp'))).toEqual([]);
  });

  it('refuses spoofed types with 415', async () => {
    for (const [bytes, name] of [[makeExe(), 'bao-cao.pdf'], [await makePdf(1), 'bao-cao.docx'], [makeOoxml('xlsx'), 'bang.docx'], [Buffer.from('%PDF-1.4 not really'), 'x.pdf']] as const) {
      const res = await upload(env, bytes, { name });
      expect(res.status, name).toBe(415);
      expect((await res.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(docCount()).toBe(0);
    expect(readdirSync(filesDir()).filter((n) => n !== '.tmp')).toEqual([]);
  });

  it('refuses bad form fields and non-secretariat uploaders', async () => {
    expect((await upload(env, await makePdf(1), { classification: 'top-secret' })).status).toBe(400);
    expect((await upload(env, await makePdf(1), { as: 'daibieu01' })).status).toBe(403);
    expect((await upload(env, await makePdf(1), { as: 'cau.tinh1' })).status).toBe(403);
    expect((await upload(env, makeOoxml('docx'), { name: 'a.docx', classification: 'confidential' })).status).toBe(415);
    expect(docCount()).toBe(0);
  });

  it('an upload interrupted mid-stream never becomes a document', async () => {
    const url = new URL(env.t.url);
    const boundary = '----dcboundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nDở dang\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
    const pdf = await makePdf(3);
    const sock = await new Promise<ReturnType<typeof netConnect>>((resolve, reject) => {
      const s = netConnect(Number(url.port), url.hostname, () => resolve(s));
      s.on('error', reject);
    });
    sock.write(
      `POST /api/meetings/${env.meetingId}/documents HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${env.tokens.vanphong}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${Buffer.byteLength(head) + pdf.length + 100}\r\n\r\n`,
    );
    sock.write(head);
    sock.write(pdf.subarray(0, Math.floor(pdf.length / 2)));
    // The server is streaming the partial file to its temp area...
    await expect.poll(() => readdirSync(join(filesDir(), '.tmp')).length, { timeout: 3000 }).toBe(1);
    // ...when the client goes away.
    sock.destroy();
    await expect.poll(() => readdirSync(join(filesDir(), '.tmp')).length, { timeout: 3000 }).toBe(0);
    expect(docCount()).toBe(0);
    expect(readdirSync(filesDir()).filter((n) => n !== '.tmp')).toEqual([]);
    // The server is fine afterwards.
    expect((await upload(env, pdf, { name: 'ok.pdf' })).status).toBe(201);
  });

  it('attaches a document to an agenda item', async () => {
    const doc = await uploadOk(env, await makePdf(1));
    const item = env.t.app.db.$client.prepare('SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position LIMIT 1').get(env.meetingId) as { id: number };
    const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/documents/${doc.id}/agenda`, headers: bearer(env.tokens.vanphong!), payload: { agendaItemId: item.id, attached: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json().agendaItemIds).toEqual([item.id]);
    const row = env.t.app.db.$client.prepare('SELECT document_ids FROM agenda_items WHERE id = ?').get(item.id) as { document_ids: string };
    expect(JSON.parse(row.document_ids)).toEqual([doc.id]);
  });
});
