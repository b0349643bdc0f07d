/**
 * QR codes are valid for their meeting: from issue until the meeting's end plus
 * QR_GRACE_HOURS, whatever the print date, following the meeting if it moves.
 * Reissuing replaces a code (the old one stops working). Time is an injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QrTokenInfo } from '../../../shared/src/index.ts';
import { bearer } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { auditRows, publish, setup, uploadOk, type Env } from './helpers.ts';

const HOUR = 3600_000;
const START = Date.parse('2030-03-10T01:00:00.000Z');
const END = Date.parse('2030-03-10T09:00:00.000Z');
const GRACE_HOURS = 24;

let env: Env;
let clock = new Date(START - 7 * 24 * HOUR);
let docId = 0;

const call = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown) =>
  env.t.app.inject({ method, url, headers: bearer(env.tokens.vanphong!), ...(payload !== undefined && { payload: payload as object }) });
const pathOf = (t: QrTokenInfo) => new URL(t.url).pathname;
const scan = (t: QrTokenInfo) => env.t.app.inject({ url: pathOf(t) });
const mineOf = (tokens: QrTokenInfo[], username: string) => tokens.find((t) => t.subjectId === env.userId(username) && t.kind === 'delegate')!;

beforeAll(async () => {
  env = await setup({ qrGraceHours: GRACE_HOURS }, { now: () => clock });
  const moved = await call('PATCH', `/api/meetings/${env.meetingId}`, { startsAt: new Date(START).toISOString(), endsAt: new Date(END).toISOString() });
  expect(moved.statusCode).toBe(200);
  docId = (await uploadOk(env, await makePdf(1), { title: 'Báo cáo chính trị' })).id;
  await publish(env, docId);
});
afterAll(async () => {
  await env?.close();
});

describe('QR codes are valid for their meeting', () => {
  it('a code printed a week early opens the documents at the meeting and stops after end + grace; moving the meeting moves it', async () => {
    clock = new Date(START - 7 * 24 * HOUR);
    const sheet = await call('GET', `/api/meetings/${env.meetingId}/qr-sheet`);
    expect(sheet.statusCode).toBe(200);
    const tokens = (await call('GET', `/api/meetings/${env.meetingId}/qr/tokens`)).json() as QrTokenInfo[];
    const mine = mineOf(tokens, 'daibieu01');
    // The sheet names the meeting and the code's validity (end + 24 h = 16:00 on 11 March, Vietnam time).
    expect(sheet.body).toMatch(/hiệu lực từ [^<]*3 tháng 3, 2030 đến lúc 16:00 [^<]*11 tháng 3, 2030/);
    expect(mine.expiresAt).toBe(new Date(END + GRACE_HOURS * HOUR).toISOString());

    clock = new Date(START);
    const open = await scan(mine);
    expect(open.statusCode).toBe(200);
    expect(open.body).toContain('Báo cáo chính trị');
    expect((await env.t.app.inject({ url: `${pathOf(mine)}/files/${docId}` })).statusCode).toBe(200);

    clock = new Date(END + GRACE_HOURS * HOUR - 60_000);
    expect((await scan(mine)).statusCode).toBe(200);
    clock = new Date(END + GRACE_HOURS * HOUR + 60_000);
    const late = await env.t.app.inject({ url: pathOf(mine), headers: { accept: 'application/json' } });
    expect(late.statusCode).toBe(401);
    expect((await env.t.app.inject({ url: `${pathOf(mine)}/files/${docId}` })).statusCode).toBe(401);

    // The meeting is postponed by two days: the same printed code works again, until the new end + grace.
    const later = await call('PATCH', `/api/meetings/${env.meetingId}`, { startsAt: new Date(START + 48 * HOUR).toISOString(), endsAt: new Date(END + 48 * HOUR).toISOString() });
    expect(later.statusCode).toBe(200);
    expect((await scan(mine)).statusCode).toBe(200);
    expect(mineOf((await call('GET', `/api/meetings/${env.meetingId}/qr/tokens`)).json(), 'daibieu01').expiresAt).toBe(new Date(END + 48 * HOUR + GRACE_HOURS * HOUR).toISOString());
    clock = new Date(END + 48 * HOUR + GRACE_HOURS * HOUR + 60_000);
    expect((await scan(mine)).statusCode).toBe(401);

    // Brought forward again: validity shrinks with it.
    expect((await call('PATCH', `/api/meetings/${env.meetingId}`, { startsAt: new Date(START).toISOString(), endsAt: new Date(END).toISOString() })).statusCode).toBe(200);
    clock = new Date(END + GRACE_HOURS * HOUR + 60_000);
    expect((await scan(mine)).statusCode).toBe(401);
    clock = new Date(START);
    expect((await scan(mine)).statusCode).toBe(200);
  });

  it('reprinting gives the same codes; reissuing one delegate\'s code or all codes invalidates the old ones', async () => {
    clock = new Date(START - 2 * 24 * HOUR);
    const first = (await call('POST', `/api/meetings/${env.meetingId}/qr/delegates`)).json() as QrTokenInfo[];
    const again = (await call('POST', `/api/meetings/${env.meetingId}/qr/delegates`)).json() as QrTokenInfo[];
    expect(again.map((t) => t.jti).sort()).toEqual(first.map((t) => t.jti).sort());

    const old01 = mineOf(first, 'daibieu01');
    const old12 = mineOf(first, 'daibieu12');
    const re = await call('POST', `/api/meetings/${env.meetingId}/qr/delegates/${env.userId('daibieu01')}`);
    expect(re.statusCode).toBe(201);
    const new01 = re.json() as QrTokenInfo;
    expect(new01.jti).not.toBe(old01.jti);
    clock = new Date(START);
    const refused = await env.t.app.inject({ url: pathOf(old01), headers: { accept: 'application/json' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('TOKEN_REVOKED');
    expect((await scan(new01)).statusCode).toBe(200);
    expect((await scan(old12)).statusCode).toBe(200);
    const one = auditRows(env, 'qr.reissue').filter((r) => JSON.parse(r.details).userId === env.userId('daibieu01'));
    expect(one).toHaveLength(1);
    expect(JSON.parse(one[0]!.details).revoked).toEqual([old01.jti]);

    const all = await call('POST', `/api/meetings/${env.meetingId}/qr/reissue`);
    expect(all.statusCode).toBe(200);
    const fresh = all.json() as QrTokenInfo[];
    expect(fresh.length).toBe(first.length);
    for (const t of [new01, old12]) expect((await scan(t)).statusCode).toBe(403);
    for (const t of fresh) expect(first.map((f) => f.jti)).not.toContain(t.jti);
    expect((await scan(mineOf(fresh, 'daibieu12'))).statusCode).toBe(200);
    expect(auditRows(env, 'qr.reissue').some((r) => JSON.parse(r.details).delegates === fresh.length)).toBe(true);
    // The sheet now prints the new codes (printing issues nothing new).
    expect((await call('GET', `/api/meetings/${env.meetingId}/qr-sheet`)).statusCode).toBe(200);
    const live = ((await call('GET', `/api/meetings/${env.meetingId}/qr/tokens`)).json() as QrTokenInfo[]).filter((t) => t.kind === 'delegate' && !t.revokedAt);
    expect(live.map((t) => t.jti).sort()).toEqual(fresh.map((t) => t.jti).sort());
  });
});
