import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { bearer } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { auditRows, publish, setup, upload, uploadOk, type Env } from './helpers.ts';

let env: Env;
const ids: Record<'pub' | 'byRole' | 'byUnit' | 'conf' | 'draft', number> = { pub: 0, byRole: 0, byUnit: 0, conf: 0, draft: 0 };

beforeAll(async () => {
  env = await setup();
  const db = env.t.app.db.$client;
  // The district unit whose hall daibieu12 attends.
  const districtUnit = (db.prepare('SELECT bp.unit_id AS u FROM meeting_delegates md JOIN bridge_points bp ON bp.id = md.bridge_point_id WHERE md.user_id = ?').get(env.userId('daibieu12')) as { u: number }).u;
  ids.pub = (await uploadOk(env, await makePdf(1), { title: 'Công khai' })).id;
  ids.byRole = (await uploadOk(env, await makePdf(1), { title: 'Chỉ đại biểu', classification: 'restricted', audienceRoles: 'delegate' })).id;
  ids.byUnit = (await uploadOk(env, await makePdf(1), { title: 'Chỉ huyện', classification: 'restricted', audienceUnitIds: String(districtUnit) })).id;
  ids.conf = (await uploadOk(env, await makePdf(2), { title: 'Tài liệu mật', classification: 'confidential' })).id;
  ids.draft = (await uploadOk(env, await makePdf(1), { title: 'Bản nháp' })).id;
  for (const k of ['pub', 'byRole', 'byUnit', 'conf'] as const) await publish(env, ids[k]);
});
afterAll(async () => {
  await env?.close();
});

type Key = keyof typeof ids;
/** Who sees what (list), and what a download by web link answers. */
const EXPECT: Record<string, { sees: Key[]; download: Record<Key, number>; pages: number }> = {
  vanphong: { sees: ['pub', 'byRole', 'byUnit', 'conf', 'draft'], download: { pub: 200, byRole: 200, byUnit: 200, conf: 403, draft: 200 }, pages: 200 },
  admin: { sees: ['pub', 'byRole', 'byUnit', 'conf', 'draft'], download: { pub: 200, byRole: 200, byUnit: 200, conf: 403, draft: 200 }, pages: 200 },
  daibieu01: { sees: ['pub', 'byRole', 'conf'], download: { pub: 200, byRole: 200, byUnit: 404, conf: 403, draft: 404 }, pages: 200 },
  daibieu12: { sees: ['pub', 'byRole', 'byUnit', 'conf'], download: { pub: 200, byRole: 200, byUnit: 200, conf: 403, draft: 404 }, pages: 200 },
  'cau.tinh1': { sees: ['pub', 'conf'], download: { pub: 200, byRole: 404, byUnit: 404, conf: 403, draft: 404 }, pages: 200 },
  quansat: { sees: ['pub'], download: { pub: 200, byRole: 404, byUnit: 404, conf: 403, draft: 404 }, pages: 403 },
};

describe('classification is enforced for every role', () => {
  for (const [user, exp] of Object.entries(EXPECT)) {
    it(`${user}`, async () => {
      const list = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents`, headers: bearer(env.tokens[user]!) });
      expect(list.statusCode).toBe(200);
      const seen = (list.json() as { id: number }[]).map((d) => d.id).sort((a, b) => a - b);
      expect(seen).toEqual(exp.sees.map((k) => ids[k]).sort((a, b) => a - b));
      for (const k of Object.keys(ids) as Key[]) {
        const res = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids[k]}/download`, headers: bearer(env.tokens[user]!) });
        expect(res.statusCode, `${user} downloads ${k}`).toBe(exp.download[k]);
        if (res.statusCode === 403) expect(res.json().error.code).toBe('CONFIDENTIAL');
      }
      const page = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.conf}/pages/1?width=600`, headers: bearer(env.tokens[user]!) });
      expect(page.statusCode, `${user} views the confidential page`).toBe(exp.pages);
    });
  }

  it('a confidential download by link is refused with an audit entry, for every role', () => {
    const refused = auditRows(env, 'document.confidential_link_refused').filter((r) => r.target_id === String(ids.conf));
    expect(new Set(refused.map((r) => r.actor_user_id))).toEqual(new Set(Object.keys(EXPECT).map((u) => env.userId(u))));
  });

  it('signed-out requests get 401, and a browser gets a Vietnamese page', async () => {
    const json = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.pub}/download` });
    expect(json.statusCode).toBe(401);
    const html = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.conf}/download`, headers: { ...bearer(env.tokens.daibieu01!), accept: 'text/html,application/xhtml+xml' } });
    expect(html.statusCode).toBe(403);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Tài liệu mật');
  });

  it('unknown ids and traversal attempts are 404', async () => {
    for (const url of [
      `/api/meetings/${env.meetingId}/documents/999999/download`,
      `/api/meetings/${env.meetingId}/documents/..%2F..%2Fdata/download`,
      `/api/meetings/${env.meetingId}/documents/${ids.pub}/download?version=9`,
      `/api/meetings/999999/documents/${ids.pub}/download`,
    ]) {
      const res = await env.t.app.inject({ url, headers: bearer(env.tokens.vanphong!) });
      expect([400, 404], url).toContain(res.statusCode);
    }
    const r = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/999999/download`, headers: bearer(env.tokens.vanphong!) });
    expect(r.statusCode).toBe(404);
    for (const p of ['/q/../../etc/passwd', '/q/abc/files/..%2F..%2Fetc%2Fpasswd', `/q/x/files/${ids.pub}`]) {
      const res = await env.t.app.inject({ url: p });
      expect([400, 401, 404], p).toContain(res.statusCode);
      expect(res.body).not.toContain('root:');
    }
  });
});

describe('confidential viewer', () => {
  it('serves watermarked pages inline with no-store, logs every view', async () => {
    const before = auditRows(env, 'document.confidential_view').length;
    const res = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.conf}/pages/2?width=700`, headers: bearer(env.tokens.daibieu01!) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('no-store, private');
    expect(res.headers['content-disposition']).toBe('inline');
    const img = PNG.sync.read(res.rawPayload);
    expect(img.width).toBe(700);
    // Not the original file, in any form.
    expect(res.rawPayload.subarray(0, 5).toString()).not.toBe('%PDF-');
    const views = env.t.app.db.$client.prepare('SELECT user_id, page FROM confidential_views WHERE document_id = ?').all(ids.conf) as { user_id: number; page: number }[];
    expect(views).toContainEqual({ user_id: env.userId('daibieu01'), page: 2 });
    expect(auditRows(env, 'document.confidential_view').length).toBe(before + 1);
    const out = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.conf}/pages/3`, headers: bearer(env.tokens.daibieu01!) });
    expect(out.statusCode).toBe(404);
  });

  it('renders a different image for each viewer (per-viewer watermark)', async () => {
    const get = (u: string) => env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.conf}/pages/1?width=600`, headers: bearer(env.tokens[u]!) });
    const [a, b] = await Promise.all([get('daibieu01'), get('daibieu12')]);
    expect(a.rawPayload.equals(b.rawPayload)).toBe(false);
  });

  it('the secretariat cannot reclassify a document into confidential if it cannot be viewed, but can otherwise', async () => {
    const res = await env.t.app.inject({ method: 'PATCH', url: `/api/meetings/${env.meetingId}/documents/${ids.draft}`, headers: bearer(env.tokens.vanphong!), payload: { classification: 'confidential' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ classification: 'confidential', downloadable: false, viewable: true });
    const dl = await env.t.app.inject({ url: `/api/meetings/${env.meetingId}/documents/${ids.draft}/download`, headers: bearer(env.tokens.vanphong!) });
    expect(dl.statusCode).toBe(403);
    const bad = await upload(env, await makePdf(1), { classification: 'confidential', as: 'quansat' });
    expect(bad.status).toBe(403);
  });

  it('a restricted document must name its audience, on upload and on reclassification', async () => {
    const before = (env.t.app.db.$client.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;
    const bad = await upload(env, await makePdf(1), { classification: 'restricted' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('audience') });
    expect((env.t.app.db.$client.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(before);
    const patch = await env.t.app.inject({ method: 'PATCH', url: `/api/meetings/${env.meetingId}/documents/${ids.pub}`, headers: bearer(env.tokens.vanphong!), payload: { classification: 'restricted' } });
    expect(patch.statusCode).toBe(400);
    const ok = await env.t.app.inject({ method: 'PATCH', url: `/api/meetings/${env.meetingId}/documents/${ids.pub}`, headers: bearer(env.tokens.vanphong!), payload: { classification: 'restricted', audienceRoles: ['delegate', 'bridge_operator'] } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ classification: 'restricted', audienceRoles: ['delegate', 'bridge_operator'] });
    // Clearing the audience of a restricted document is refused too.
    const clear = await env.t.app.inject({ method: 'PATCH', url: `/api/meetings/${env.meetingId}/documents/${ids.pub}`, headers: bearer(env.tokens.vanphong!), payload: { audienceRoles: [] } });
    expect(clear.statusCode).toBe(400);
  });

  it('the details of a confidential document are hidden from a member outside its audience', async () => {
    const url = `/api/meetings/${env.meetingId}/documents/${ids.conf}`;
    const observer = await env.t.app.inject({ url, headers: bearer(env.tokens.quansat!) });
    expect(observer.statusCode).toBe(404);
    expect(observer.body).not.toContain('Tài liệu mật');
    const delegate = await env.t.app.inject({ url, headers: bearer(env.tokens.daibieu01!) });
    expect(delegate.statusCode).toBe(200);
    expect(delegate.json().document).toMatchObject({ title: 'Tài liệu mật', downloadable: false });
  });
});
