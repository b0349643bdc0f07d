/**
 * Agenda items link only their own meeting's documents (audited), and an
 * ended meeting's documents and QR codes are read-only (409 MEETING_ENDED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { auditRows, setup, upload, uploadOk, type Env } from './helpers.ts';

let env: Env;
let other = 0;

const call = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown) =>
  env.t.app.inject({ method, url, headers: bearer(env.tokens.vanphong!), ...(payload !== undefined && { payload: payload as object }) });

/** A new meeting of the same province, with one agenda item. */
async function newMeeting(title: string): Promise<{ id: number; itemId: number }> {
  const chair = (env.t.app.db.$client.prepare('SELECT chair_unit_id AS c FROM meetings WHERE id = ?').get(env.meetingId) as { c: number }).c;
  const m = await call('POST', '/api/meetings', { title, kind: 'executive_committee', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T03:00:00.000Z', chairUnitId: chair });
  expect(m.statusCode).toBe(201);
  const item = await call('POST', `/api/meetings/${m.json().id}/agenda`, { title: 'Mục 1', plannedMinutes: 10 });
  expect(item.statusCode).toBe(201);
  return { id: m.json().id, itemId: item.json().id };
}

beforeAll(async () => {
  env = await setup();
  other = (await newMeeting('Họp khác')).id;
});
afterAll(async () => {
  await env?.close();
});

describe('agenda items link only documents of their own meeting', () => {
  it('refuses cross-meeting links on every path and audits attaching', async () => {
    const own = await uploadOk(env, await makePdf(1), { title: 'Tài liệu của cuộc họp' });
    const foreign = await uploadOk(env, await makePdf(1), { title: 'Tài liệu họp khác', path: `/api/meetings/${other}/documents` });
    const items = (await call('GET', `/api/meetings/${env.meetingId}/agenda`)).json() as { id: number; documentIds: number[] }[];
    const item = items[0]!;
    const otherItem = ((await call('GET', `/api/meetings/${other}/agenda`)).json() as { id: number }[])[0]!;

    // The documents route: a foreign document or a foreign agenda item is a 404.
    expect((await call('POST', `/api/meetings/${env.meetingId}/documents/${foreign.id}/agenda`, { agendaItemId: item.id, attached: true })).statusCode).toBe(404);
    expect((await call('POST', `/api/meetings/${env.meetingId}/documents/${own.id}/agenda`, { agendaItemId: otherItem.id, attached: true })).statusCode).toBe(404);
    // The agenda routes: a foreign document id in documentIds is a 400 and nothing changes.
    const bad = await call('PATCH', `/api/meetings/${env.meetingId}/agenda/${item.id}`, { documentIds: [own.id, foreign.id] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.message).toContain(String(foreign.id));
    const badCreate = await call('POST', `/api/meetings/${env.meetingId}/agenda`, { title: 'Mục mới', plannedMinutes: 5, documentIds: [foreign.id] });
    expect(badCreate.statusCode).toBe(400);
    expect(((await call('GET', `/api/meetings/${env.meetingId}/agenda`)).json() as { id: number; documentIds: number[] }[]).find((i) => i.id === item.id)!.documentIds).not.toContain(foreign.id);

    // Attaching an own document works, is audited, and shows on the document.
    const ok = await call('POST', `/api/meetings/${env.meetingId}/documents/${own.id}/agenda`, { agendaItemId: item.id, attached: true });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().agendaItemIds).toEqual([item.id]);
    const viaAgenda = await call('PATCH', `/api/meetings/${env.meetingId}/agenda/${items[1]!.id}`, { documentIds: [own.id] });
    expect(viaAgenda.statusCode).toBe(200);
    const rows = auditRows(env, 'document.attach').filter((r) => r.target_id === String(own.id));
    expect(rows.map((r) => JSON.parse(r.details))).toEqual([
      { meetingId: env.meetingId, agendaItemId: item.id, attached: true },
      { meetingId: env.meetingId, agendaItemId: items[1]!.id, attached: true },
    ]);
    expect(rows.every((r) => r.actor_user_id === env.userId('vanphong'))).toBe(true);
  });
});

describe('an ended meeting is read-only for documents and QR codes', () => {
  it('refuses upload, new version, update, attach and QR issue/reissue/revoke with 409 MEETING_ENDED', async () => {
    const m = await newMeeting('Họp đã kết thúc');
    const doc = await uploadOk(env, await makePdf(1), { title: 'Biên bản', path: `/api/meetings/${m.id}/documents` });
    const venue = await call('POST', `/api/meetings/${m.id}/qr/venue`, {});
    expect(venue.statusCode).toBe(201);
    env.t.app.db.$client.prepare("UPDATE meetings SET status = 'ended' WHERE id = ?").run(m.id);

    const base = `/api/meetings/${m.id}`;
    const refused: [string, () => Promise<{ statusCode: number; body: string }>][] = [
      ['upload', async () => { const r = await upload(env, await makePdf(1), { path: `${base}/documents` }); return { statusCode: r.status, body: await r.text() }; }],
      ['new version', async () => { const r = await upload(env, await makePdf(1), { path: `${base}/documents/${doc.id}/versions` }); return { statusCode: r.status, body: await r.text() }; }],
      ['update', () => call('PATCH', `${base}/documents/${doc.id}`, { title: 'Sửa sau họp' })],
      ['attach', () => call('POST', `${base}/documents/${doc.id}/agenda`, { agendaItemId: m.itemId, attached: true })],
      ['issue delegate codes', () => call('POST', `${base}/qr/delegates`)],
      ['reissue all', () => call('POST', `${base}/qr/reissue`)],
      ['reissue one', () => call('POST', `${base}/qr/delegates/${env.userId('daibieu01')}`)],
      ['venue code', () => call('POST', `${base}/qr/venue`, {})],
      ['revoke', () => call('POST', `${base}/qr/tokens/${venue.json().jti}/revoke`)],
    ];
    for (const [name, run] of refused) {
      const res = await run();
      expect(res.statusCode, name).toBe(409);
      expect(JSON.parse(res.body).error.code, name).toBe('MEETING_ENDED');
    }
    // Nothing changed, and reading still works.
    const detail = await call('GET', `${base}/documents/${doc.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().document.title).toBe('Biên bản');
    expect(detail.json().versions).toHaveLength(1);
    expect(detail.json().document.agendaItemIds).toEqual([]);
    expect((await call('GET', `${base}/qr/tokens`)).json().every((t: { revokedAt: string | null }) => t.revokedAt === null)).toBe(true);
    expect((await call('GET', `${base}/documents/${doc.id}/download`)).statusCode).toBe(200);
  });
});
