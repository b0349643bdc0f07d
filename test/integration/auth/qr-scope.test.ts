/**
 * A QR session stays inside its meeting on every route, notification list and broadcast, even
 * when the same delegate is invited to another meeting that their password session does see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connect, nextEvent, noEvent, request } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { setup, uploadOk, type Env } from '../documents/helpers.ts';
import { qrSession } from './support.ts';

let env: Env;
let other = 0;
let qr = '';
const get = (url: string, token: string) => env.t.app.inject({ url, headers: bearer(token) });

beforeAll(async () => {
  env = await setup();
  const sec = bearer(env.tokens.vanphong!);
  const chair = env.t.app.db.$client.prepare('SELECT chair_unit_id AS c FROM meetings WHERE id = ?').get(env.meetingId) as { c: number };
  const created = await env.t.app.inject({ method: 'POST', url: '/api/meetings', headers: sec, payload: { title: 'Họp khác', kind: 'executive_committee', startsAt: '2030-01-01T01:00:00.000Z', endsAt: '2030-01-01T03:00:00.000Z', chairUnitId: chair.c } });
  other = created.json().id as number;
  expect((await env.t.app.inject({ method: 'POST', url: `/api/meetings/${other}/delegates`, headers: sec, payload: { userIds: [env.userId('daibieu01')] } })).statusCode).toBeLessThan(300);
  qr = (await qrSession(env.t, env.tokens.vanphong!, env.meetingId, env.userId('daibieu01'))).token;
});
afterAll(() => env?.close());

/** Uploads and publishes a document in the other meeting; resolves its id. */
async function publishInOther(): Promise<number> {
  const doc = await uploadOk(env, await makePdf(1), { title: 'Tài liệu họp khác', path: `/api/meetings/${other}/documents` });
  const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${other}/documents/${doc.id}/publish`, headers: bearer(env.tokens.vanphong!) });
  expect(res.statusCode, res.body).toBe(200);
  return doc.id;
}

describe('QR session scope', () => {
  it('sees nothing of another meeting over HTTP', async () => {
    const docId = await publishInOther();
    const pw = env.tokens.daibieu01!;
    const urls = [`/api/meetings/${other}`, `/api/meetings/${other}/agenda`, `/api/meetings/${other}/documents`, `/api/meetings/${other}/documents/${docId}`, `/api/meetings/${other}/polls`, `/api/meetings/${other}/invitations`];
    for (const url of urls) {
      const res = await get(url, qr);
      expect(res.statusCode, url).toBe(403);
    }
    expect((await get(`/api/meetings/${other}/documents`, pw)).statusCode).toBe(200);
    expect((await get('/api/meetings', qr)).json().map((m: { id: number }) => m.id)).toEqual([env.meetingId]);
    expect((await get('/api/users', qr)).statusCode).toBe(403);
    // Notifications: the password session has the other meeting's notice, the QR session does not, and cannot clear it.
    const pwNotes = (await get('/api/documents/notifications', pw)).json() as { id: number; meetingId: number }[];
    const foreign = pwNotes.filter((n) => n.meetingId === other);
    expect(foreign.length).toBeGreaterThan(0);
    expect(((await get('/api/documents/notifications', qr)).json() as { meetingId: number }[]).every((n) => n.meetingId === env.meetingId)).toBe(true);
    const seen = await env.t.app.inject({ method: 'POST', url: '/api/documents/notifications/seen', headers: bearer(qr), payload: { ids: foreign.map((n) => n.id) } });
    expect(seen.statusCode).toBe(200);
    expect(((await get('/api/documents/notifications', pw)).json() as { id: number }[]).map((n) => n.id)).toEqual(expect.arrayContaining(foreign.map((n) => n.id)));
  });

  it('cannot join another meeting\'s room and hears no user-room broadcast about it', async () => {
    const qrSocket = await connect(env.t.url, qr);
    const pwSocket = await connect(env.t.url, env.tokens.daibieu01!);
    try {
      const refused = await request(qrSocket, 'meeting:join', { meetingId: other });
      expect(!refused.ok && refused.error.code).toBe('NOT_MEMBER');
      const pwHears = nextEvent<{ meetingId: number }>(pwSocket, 'document:published', 20_000);
      const qrSilent = noEvent(qrSocket, 'document:published', 1500);
      await publishInOther();
      expect((await pwHears).meetingId).toBe(other);
      expect(await qrSilent).toBe(true);
    } finally {
      qrSocket.close();
      pwSocket.close();
    }
  });
});
