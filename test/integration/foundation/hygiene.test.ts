// Human text is NFC-normalised and trimmed everywhere it enters (REST bodies, multipart file names
// and titles, socket commands); control and bidi formatting characters and empty names are refused
// with a typed 400 naming the field. Includes a REST fuzz sized by count.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humanTextProblem, normalizeHumanText, type PollView } from '@diemcau/shared';
import { bearer, login } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { liveRoom, okData, expectError, type Room } from '../voting/helpers.ts';
import { request } from '../../helpers/app.ts';

const NFD = 'Xa\u0303 Mo\u031B\u0301i'; // "Xã Mới" in decomposed form
const NFC = 'Xã Mới';
const BAD = ['\u202E', '\u2066', '\u200F', '\u061C', '\u0000', '\u0007', '\u001B', '\u0085', '\n', '\r', '\u2028'];

let room: Room;
let admin: Record<string, string>;
let sec: Record<string, string>;
let unitId: number;
let meetingId: number;
let itemId: number;
beforeAll(async () => {
  room = await liveRoom(['daibieu01']);
  const t = room.t;
  admin = bearer(await login(t.app, 'admin'));
  sec = bearer(await login(t.app, 'vanphong'));
  // A draft meeting of its own: the seeded one is live and no longer editable.
  meetingId = (
    await t.app.inject({ method: 'POST', url: '/api/meetings', headers: sec, payload: { title: 'Họp thử', kind: 'conference', startsAt: '2027-02-01T01:00:00.000Z', endsAt: '2027-02-01T03:00:00.000Z', chairUnitId: 1 } })
  ).json().id;
  unitId = (await t.app.inject({ method: 'POST', url: '/api/units', headers: admin, payload: { parentId: null, code: 'H1', name: 'Tỉnh Thử' } })).json().id;
  itemId = (await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/agenda`, headers: sec, payload: { title: 'Khai mạc', plannedMinutes: 5 } })).json().id;
}, 60_000);
afterAll(() => room.close());

type Who = 'admin' | 'sec';
const send = (method: string, url: string, payload: unknown, who: Who = 'sec') =>
  room.t.app.inject({ method: method as 'POST', url, headers: who === 'admin' ? admin : sec, payload: payload as object });

/** Every REST human-text field: the route, a valid body around it, and the field's name. */
const fields = (): [string, string, () => string, (v: string) => unknown, Who][] => [
  ['unit name', 'PATCH', () => `/api/units/${unitId}`, (v) => ({ name: v }), 'admin'],
  ['meeting title', 'PATCH', () => `/api/meetings/${meetingId}`, (v) => ({ title: v }), 'sec'],
  ['agenda title', 'PATCH', () => `/api/meetings/${meetingId}/agenda/${itemId}`, (v) => ({ title: v }), 'sec'],
  ['agenda presenter', 'PATCH', () => `/api/meetings/${meetingId}/agenda/${itemId}`, (v) => ({ presenter: v }), 'sec'],
  ['user full name', 'POST', () => '/api/users', (v) => ({ username: `u${Math.random().toString(36).slice(2, 10)}`, password: 'MatKhau@2026', fullName: v, role: 'delegate', unitId: 1 }), 'sec'],
  ['user title', 'POST', () => '/api/users', (v) => ({ username: `u${Math.random().toString(36).slice(2, 10)}`, password: 'MatKhau@2026', fullName: 'Người Thử', title: v, role: 'delegate', unitId: 1 }), 'sec'],
];

describe('REST human text', () => {
  it('is stored NFC and trimmed', async () => {
    const unit = await send('PATCH', `/api/units/${unitId}`, { name: `  ${NFD}\t ` }, 'admin');
    expect(unit.statusCode, unit.body).toBe(200);
    expect(unit.json().name).toBe(NFC);
    const m = await send('PATCH', `/api/meetings/${meetingId}`, { description: `  Dòng 1\r\n\tDòng 2  ` });
    expect(m.json().description).toBe('Dòng 1\n\tDòng 2');
  });

  for (const [name, method, url, body, who] of fields()) {
    it(`${name}: control and bidi characters are a 400 naming the field`, async () => {
      const field = Object.keys(body('x') as object).find((k) => ['name', 'title', 'presenter', 'fullName'].includes(k) && (body('x') as Record<string, unknown>)[k] === 'x')!;
      for (const c of BAD) {
        const res = await send(method, url(), body(`Tên${c}Thử`), who);
        expect(res.statusCode, `${JSON.stringify(c)}: ${res.body}`).toBe(400);
        expect(res.json().error.code).toBe('VALIDATION_FAILED');
        expect(res.json().error.message).toContain(field);
      }
    });
  }

  it('whitespace-only names are refused; a long description keeps newlines but not bidi overrides', async () => {
    for (const v of ['   ', '\t', '\u00A0\u3000']) {
      const res = await send('PATCH', `/api/units/${unitId}`, { name: v }, 'admin');
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('name') });
    }
    const res = await send('PATCH', `/api/meetings/${meetingId}`, { description: 'a\n\u202Eb' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('description');
  });

  it('fuzz: any text is either stored normalised and clean, or refused with a 400 — never a 500', async () => {
    const pieces = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.constantFrom(...BAD, ' ', '\t', '\u00A0', NFD, 'Đảng bộ', 'e\u0301', '\u200D', '\uFEFF'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    const text = fc.array(pieces, { maxLength: 8 }).map((a) => a.join(''));
    const targets = fields().filter(([n]) => !n.startsWith('user'));
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom(...targets), async (input, [, method, url, body, who]) => {
        const payload = body(input) as Record<string, string>;
        const key = Object.keys(payload)[0]!;
        const res = await send(method, url(), payload, who);
        const expected = normalizeHumanText(input);
        const required = key !== 'presenter';
        const acceptable = humanTextProblem(expected, 'line', required) === null && expected.length <= 200 && (!required || expected.length > 0);
        if (res.statusCode === 200) {
          expect(acceptable, `${JSON.stringify(input)} was accepted`).toBe(true);
          expect(res.json()[key]).toBe(expected);
        } else {
          expect(res.statusCode, res.body).toBe(400);
          expect(res.json().error.code).toBe('VALIDATION_FAILED');
          expect(acceptable && expected.length <= 200, `${JSON.stringify(input)} was refused: ${res.body}`).toBe(false);
        }
      }),
      { numRuns: 300, seed: 20_261_201 },
    );
  }, 120_000);
});

describe('document upload boundary', () => {
  const uploadAs = async (fileName: string, title?: string) => {
    const form = new FormData();
    if (title !== undefined) form.append('title', title);
    form.append('file', new Blob([new Uint8Array(await makePdf(1))]), fileName);
    return fetch(`${room.t.url}/api/meetings/${meetingId}/documents`, { method: 'POST', headers: sec, body: form });
  };

  it('normalises the file name and title; refuses a bidi-override file name', async () => {
    const ok = await uploadAs(` Ba\u0301o ca\u0301o.pdf `, `  ${NFD} `);
    expect(ok.status).toBe(201);
    const doc = (await ok.json()) as { title: string; fileName?: string; currentVersion?: unknown };
    expect(doc.title).toBe(NFC);
    expect(JSON.stringify(doc)).toContain('Báo cáo.pdf');
    const spoof = await uploadAs('Bao cao\u202Efdp.exe');
    expect(spoof.status).toBe(400);
    expect(((await spoof.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('file name') });
    const badTitle = await uploadAs('a.pdf', 'Tiêu\u2067đề');
    expect(badTitle.status).toBe(400);
    expect(((await badTitle.json()) as { error: { message: string } }).error.message).toContain('title');
  });
});

describe('socket commands', () => {
  it('poll titles and options are normalised; bidi and control characters get a VALIDATION_FAILED ack', async () => {
    const poll = okData(
      await request<PollView>(room.chair.socket, 'poll:create', { agendaItemId: null, title: `  ${NFD}  `, kind: 'single', mode: 'open', majority: 'simple', options: [` ${NFD} `, 'Phương án\u0301 B'] }),
    );
    expect(poll.title).toBe(NFC);
    expect(poll.options.map((o) => o.label)).toEqual([NFC, 'Phương án\u0301 B'.normalize('NFC')]);
    for (const c of ['\u202E', '\u0000', '\n']) {
      const ack = await request(room.chair.socket, 'poll:create', { agendaItemId: null, title: `Thông${c}qua`, kind: 'approval', mode: 'open', majority: 'simple' });
      expectError(ack, 'VALIDATION_FAILED');
      if (!ack.ok) expect(ack.error.message).toContain('/title');
    }
    expectError(await request(room.chair.socket, 'poll:create', { agendaItemId: null, title: '   ', kind: 'approval', mode: 'open', majority: 'simple' }), 'VALIDATION_FAILED');
    expectError(await request(room.chair.socket, 'poll:create', { agendaItemId: null, title: 'Bầu', kind: 'single', mode: 'open', majority: 'simple', options: ['A', 'B\u2066'] }), 'VALIDATION_FAILED');
  });
});
