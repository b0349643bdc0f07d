/**
 * Classification belongs to the document across all its versions: a version
 * that is or ever was confidential never leaves by link (download URL, ranges,
 * QR), lowering a classification is only the audited declassify action, and
 * lists/details never advertise a download for such versions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentInfo, DocumentVersion } from '../../../shared/src/index.ts';
import { bearer } from '../../helpers/app.ts';
import { makeActivePdf, makePdf } from '../../helpers/document-fixtures.ts';
import { auditRows, publish, setup, upload, uploadOk, type Env } from './helpers.ts';

let env: Env;
let qrPath = '';

beforeAll(async () => {
  env = await setup();
  const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/qr/delegates`, headers: bearer(env.tokens.vanphong!) });
  const mine = (res.json() as { subjectId: number; url: string }[]).find((t) => t.subjectId === env.userId('daibieu01'))!;
  qrPath = new URL(mine.url).pathname;
});
afterAll(async () => {
  await env?.close();
});

const inject = (url: string, as = 'vanphong', headers: Record<string, string> = {}) => env.t.app.inject({ url, headers: { ...bearer(env.tokens[as]!), ...headers } });
const docUrl = (id: number) => `/api/meetings/${env.meetingId}/documents/${id}`;
const patch = (id: number, payload: object) => env.t.app.inject({ method: 'PATCH', url: docUrl(id), headers: bearer(env.tokens.vanphong!), payload });
const declassify = (id: number, payload: object, as = 'vanphong') => env.t.app.inject({ method: 'POST', url: `${docUrl(id)}/declassify`, headers: bearer(env.tokens[as]!), payload });
const detail = async (id: number, as = 'vanphong') => (await inject(docUrl(id), as)).json() as { document: DocumentInfo; versions: DocumentVersion[] };
const listed = async (id: number, as = 'vanphong') => ((await inject(`/api/meetings/${env.meetingId}/documents`, as)).json() as DocumentInfo[]).find((d) => d.id === id)!;

/** Every way to fetch a stored version by link answers 403 CONFIDENTIAL. */
async function expectSealed(id: number, version: number, as = 'vanphong') {
  for (const headers of [{}, { range: 'bytes=0-9' }, { range: 'bytes=10-' }, { range: 'bytes=-5' }] as Record<string, string>[]) {
    const res = await inject(`${docUrl(id)}/download?version=${version}`, as, headers);
    expect(res.statusCode, `v${version} ${JSON.stringify(headers)} as ${as}`).toBe(403);
    expect(res.json().error.code).toBe('CONFIDENTIAL');
    expect(res.headers['content-range']).toBeUndefined();
  }
}

describe('a version that ever was confidential stays viewer-only', () => {
  it('reclassifying a public document as confidential seals its versions; lowering it back is refused on the ordinary paths', async () => {
    const doc = await uploadOk(env, await makePdf(1, 'Ban 1'), { title: 'Đề án nhân sự' });
    await publish(env, doc.id);
    expect((await inject(`${docUrl(doc.id)}/download?version=1`)).statusCode).toBe(200);

    expect((await patch(doc.id, { classification: 'confidential' })).statusCode).toBe(200);
    await expectSealed(doc.id, 1);

    const lowered = await patch(doc.id, { classification: 'public_to_meeting' });
    expect(lowered.statusCode).toBe(409);
    expect(lowered.json().error.code).toBe('DECLASSIFICATION_REQUIRED');
    const viaUpload = await upload(env, await makePdf(1, 'Ban 2'), { path: `${docUrl(doc.id)}/versions`, classification: 'restricted', audienceRoles: 'delegate' });
    expect(viaUpload.status).toBe(409);
    expect(((await viaUpload.json()) as { error: { code: string } }).error.code).toBe('DECLASSIFICATION_REQUIRED');
    expect((await detail(doc.id)).document.classification).toBe('confidential');
    expect((await detail(doc.id)).versions).toHaveLength(1);

    // A reason is required, and declassifying must lower the classification.
    expect((await declassify(doc.id, { classification: 'public_to_meeting' })).statusCode).toBe(400);
    expect((await declassify(doc.id, { classification: 'confidential', reason: 'không đổi' })).statusCode).toBe(400);
    expect((await declassify(doc.id, { classification: 'public_to_meeting', reason: 'Đã công bố' }, 'daibieu01')).statusCode).toBe(403);
    const ok = await declassify(doc.id, { classification: 'public_to_meeting', reason: 'Nghị quyết đã được công bố' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().classification).toBe('public_to_meeting');
    const audit = auditRows(env, 'document.declassify').filter((r) => r.target_id === String(doc.id));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_user_id).toBe(env.userId('vanphong'));
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ from: 'confidential', to: 'public_to_meeting', reason: 'Nghị quyết đã được công bố' });

    // Declassified, yet version 1 was confidential: still no link, for anyone, and not advertised.
    for (const as of ['vanphong', 'daibieu01']) {
      await expectSealed(doc.id, 1, as);
      expect((await inject(`${docUrl(doc.id)}/download`, as)).statusCode).toBe(403);
      expect((await listed(doc.id, as)).downloadable).toBe(false);
      expect((await detail(doc.id, as)).versions.map((v) => v.downloadable)).toEqual([false]);
    }
    // The QR page does not offer it; its file link is refused.
    const landing = await env.t.app.inject({ url: qrPath });
    expect(landing.statusCode).toBe(200);
    expect(landing.body).not.toContain(`/files/${doc.id}"`);
    const byQr = await env.t.app.inject({ url: `${qrPath}/files/${doc.id}`, headers: { range: 'bytes=0-99' } });
    expect(byQr.statusCode).toBe(403);
    // Still readable as watermarked pages, by a password sign-in.
    const page = await inject(`${docUrl(doc.id)}/pages/1?width=300&version=1`, 'daibieu01');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('image/png');

    // A version uploaded after the declassification is downloadable; version 1 is not.
    const v2 = await uploadOk(env, await makePdf(1, 'Ban 2'), { path: `${docUrl(doc.id)}/versions` });
    expect(v2.version).toBe(2);
    expect(v2.downloadable).toBe(true);
    expect((await inject(`${docUrl(doc.id)}/download`, 'daibieu01')).statusCode).toBe(200);
    expect((await inject(`${docUrl(doc.id)}/download?version=2`, 'daibieu01', { range: 'bytes=0-9' })).statusCode).toBe(206);
    await expectSealed(doc.id, 1, 'daibieu01');
    expect((await detail(doc.id, 'daibieu01')).versions.map((v) => [v.version, v.downloadable])).toEqual([[2, true], [1, false]]);
    const landing2 = await env.t.app.inject({ url: qrPath });
    expect(landing2.body).toContain(`/files/${doc.id}"`);
    expect((await env.t.app.inject({ url: `${qrPath}/files/${doc.id}` })).statusCode).toBe(200);
  });

  it('a new public version of a confidential document does not unseal the old one', async () => {
    const doc = await uploadOk(env, await makePdf(2, 'Mat'), { title: 'Báo cáo mật', classification: 'confidential' });
    await publish(env, doc.id);
    // A new version cannot lower the classification on the way in...
    const res = await upload(env, await makePdf(1), { path: `${docUrl(doc.id)}/versions`, classification: 'public_to_meeting' });
    expect(res.status).toBe(409);
    // ...and one that keeps it is confidential too.
    const v2 = await uploadOk(env, await makePdf(1, 'Mat 2'), { path: `${docUrl(doc.id)}/versions` });
    expect(v2.classification).toBe('confidential');
    await expectSealed(doc.id, 1);
    await expectSealed(doc.id, 2);
    expect((await declassify(doc.id, { classification: 'restricted', reason: 'Hạ độ mật theo quyết định', audienceRoles: ['delegate'] })).statusCode).toBe(200);
    await expectSealed(doc.id, 1, 'daibieu01');
    await expectSealed(doc.id, 2, 'daibieu01');
    expect((await detail(doc.id, 'daibieu01')).versions.every((v) => !v.downloadable)).toBe(true);
  });

  it('restricted can be raised freely but only declassified to public', async () => {
    const doc = await uploadOk(env, await makePdf(1), { title: 'Hạn chế', classification: 'restricted', audienceRoles: 'delegate' });
    const res = await patch(doc.id, { classification: 'public_to_meeting' });
    expect(res.statusCode).toBe(409);
    expect((await declassify(doc.id, { classification: 'public_to_meeting', reason: 'Công khai' })).statusCode).toBe(200);
    // Never confidential: its version stays downloadable.
    expect((await inject(`${docUrl(doc.id)}/download?version=1`)).statusCode).toBe(200);
  });

  it('a PDF with JavaScript is refused and leaves nothing behind', async () => {
    const before = (await inject(`/api/meetings/${env.meetingId}/documents`)).json().length;
    const res = await upload(env, await makeActivePdf('javascript'), { title: 'Có mã độc' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ACTIVE_CONTENT');
    expect((await inject(`/api/meetings/${env.meetingId}/documents`)).json().length).toBe(before);
  });
});
