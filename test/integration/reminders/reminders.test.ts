/**
 * Reminders before a meeting, with an injected clock and a real SMTP server:
 * each configured offset is sent once, at its time, to every invited delegate
 * and bridge operator (in the app, live, and by e-mail for those with an
 * address), never again after a restart; new materials are mailed too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderNotice } from '../../../shared/src/index.ts';
import { bearer, buildTestApp, connect, login, nextEvent, type TestApp, type TestSocket } from '../../helpers/app.ts';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.ts';
import { publish, uploadOk } from '../documents/helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.parse('2030-05-20T01:30:00.000Z'); // 08:30 in Hà Nội
const END = START + 8 * HOUR;
let clock = new Date(START - 25 * HOUR);

let smtp: TestSmtp;
let t: TestApp;
let meetingId = 0;
let title = '';
const sockets: TestSocket[] = [];

const q = <T>(sql: string, ...args: unknown[]) => t.app.db.$client.prepare(sql).all(...args) as T[];
const idOf = (username: string) => q<{ id: number }>('SELECT id FROM users WHERE username = ?', username)[0]!.id;
const start = async (dataDir?: string) => {
  t = await buildTestApp({ ...(dataDir && { dataDir }), config: { smtpUrl: smtp.url, reminderOffsetsMinutes: [24 * 60, 60], reminderCheckSeconds: 3600, publicBaseUrl: 'http://192.0.2.10:3000' }, deps: { now: () => clock } });
  await t.listen();
};
/** Everyone the meeting reminds: invited delegates and the operators of invited bridge points. */
const recipientCount = () =>
  q<{ n: number }>(
    `SELECT COUNT(DISTINCT id) AS n FROM users WHERE active = 1 AND (id IN (SELECT user_id FROM meeting_delegates WHERE meeting_id = ?)
       OR id IN (SELECT bp.operator_user_id FROM meeting_bridge_points mbp JOIN bridge_points bp ON bp.id = mbp.bridge_point_id WHERE mbp.meeting_id = ?))`,
    meetingId,
    meetingId,
  )[0]!.n;

beforeAll(async () => {
  smtp = await startSmtp();
  await start();
  meetingId = q<{ id: number; title: string }>('SELECT id, title FROM meetings ORDER BY id LIMIT 1')[0]!.id;
  title = q<{ title: string }>('SELECT title FROM meetings WHERE id = ?', meetingId)[0]!.title;
  const admin = bearer(await login(t.app, 'admin'));
  const moved = await t.app.inject({ method: 'PATCH', url: `/api/meetings/${meetingId}`, headers: admin, payload: { startsAt: new Date(START).toISOString(), endsAt: new Date(END).toISOString() } });
  expect(moved.statusCode).toBe(200);
  expect((await t.app.inject({ method: 'PATCH', url: `/api/users/${idOf('daibieu01')}`, headers: admin, payload: { email: 'not an address' } })).statusCode).toBe(400);
  for (const [u, email] of [['daibieu01', 'daibieu01@sonha.gov.vn'], ['cau.tinh1', 'cau.tinh1@sonha.gov.vn']] as const) {
    const res = await t.app.inject({ method: 'PATCH', url: `/api/users/${idOf(u)}`, headers: admin, payload: { email } });
    expect(res.statusCode).toBe(200);
    expect(res.json().email).toBe(email);
  }
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
  await smtp?.close();
});

describe('reminders before a meeting', () => {
  it('sends each offset once, at its time, in the app, live and by e-mail, and never again after a restart', async () => {
    const people = recipientCount();
    expect(people).toBeGreaterThan(200); // 30 delegates and the operators of 213 bridge points

    expect(await t.app.reminders.runDue()).toEqual({ sent: 0, emailed: 0 });

    // 24 hours before: one reminder each; the live push reaches a connected delegate.
    const sock = await connect(t.url, await login(t.app, 'daibieu01'));
    sockets.push(sock);
    const live = nextEvent<ReminderNotice>(sock, 'meeting:reminded', 30_000);
    clock = new Date(START - 24 * HOUR + MIN);
    expect(await t.app.reminders.runDue()).toEqual({ sent: people, emailed: 2 });
    expect(await live).toMatchObject({ meetingId, meetingTitle: title, offsetMinutes: 24 * 60, startsAt: new Date(START).toISOString() });

    const mails = await smtp.waitFor(2);
    const toDelegate = mails.find((m) => m.rcpt.includes('daibieu01@sonha.gov.vn'))!;
    const fullName = q<{ full_name: string }>('SELECT full_name FROM users WHERE username = ?', 'daibieu01')[0]!.full_name;
    expect(toDelegate.subject).toBe(`Nhắc lịch họp: ${title} (còn 24 giờ)`);
    expect(toDelegate.text).toContain(`Kính gửi đồng chí ${fullName},`);
    expect(toDelegate.text).toContain(`Hội nghị "${title}" sẽ bắt đầu sau khoảng 24 giờ.`);
    expect(toDelegate.text).toMatch(/Thời gian: .*08:30.*20 tháng 5, 2030/);
    expect(toDelegate.text).toMatch(/Địa điểm: \S+/);
    expect(toDelegate.text).toContain('http://192.0.2.10:3000/my');
    expect(mails.some((m) => m.rcpt.includes('cau.tinh1@sonha.gov.vn') && m.subject === toDelegate.subject)).toBe(true);

    // Running again (the timer's next tick) sends nothing new.
    expect(await t.app.reminders.runDue()).toEqual({ sent: 0, emailed: 0 });
    const delegate = bearer(await login(t.app, 'daibieu01'));
    const listed = (await t.app.inject({ url: '/api/reminders', headers: delegate })).json() as ReminderNotice[];
    expect(listed.map((r) => r.offsetMinutes)).toEqual([24 * 60]);

    // Restart on the same database an hour later: nothing is sent twice.
    for (const s of sockets.splice(0)) s.close();
    await t.close({ keepData: true });
    clock = new Date(START - 23 * HOUR);
    await start(t.dataDir);
    expect(await t.app.reminders.runDue()).toEqual({ sent: 0, emailed: 0 });
    expect(q<{ n: number }>('SELECT COUNT(*) AS n FROM meeting_reminders')[0]!.n).toBe(people);

    // One hour before: the second reminder, once.
    clock = new Date(START - 59 * MIN);
    expect(await t.app.reminders.runDue()).toEqual({ sent: people, emailed: 2 });
    expect(await t.app.reminders.runDue()).toEqual({ sent: 0, emailed: 0 });
    const all = await smtp.waitFor(4);
    expect(all.filter((m) => m.subject === `Nhắc lịch họp: ${title} (còn 1 giờ)`).map((m) => m.rcpt).flat().sort()).toEqual(['cau.tinh1@sonha.gov.vn', 'daibieu01@sonha.gov.vn']);

    // Shown on the next sign-in until dismissed.
    const again = bearer(await login(t.app, 'daibieu01'));
    const shown = (await t.app.inject({ url: '/api/reminders', headers: again })).json() as ReminderNotice[];
    expect(shown.map((r) => r.offsetMinutes)).toEqual([60, 24 * 60]);
    expect((await t.app.inject({ method: 'POST', url: '/api/reminders/seen', headers: again, payload: {} })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/reminders', headers: again })).json()).toEqual([]);

    // Once the meeting has started nothing more is due.
    clock = new Date(START + MIN);
    expect(await t.app.reminders.runDue()).toEqual({ sent: 0, emailed: 0 });
    expect(smtp.mails).toHaveLength(4);
  });

  it('after downtime only the latest due reminder is shown; a moved meeting is reminded again', async () => {
    const people = recipientCount();
    const admin = bearer(await login(t.app, 'admin'));
    const later = START + 7 * 24 * HOUR;
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/meetings/${meetingId}`, headers: admin, payload: { startsAt: new Date(later).toISOString(), endsAt: new Date(later + 8 * HOUR).toISOString() } });
    expect(moved.statusCode).toBe(200);
    const before = smtp.mails.length;
    // The server was down through the 24-hour mark: at 30 minutes before, only "1 hour" is shown and mailed.
    clock = new Date(later - 30 * MIN);
    expect(await t.app.reminders.runDue()).toEqual({ sent: people, emailed: 2 });
    const fresh = (await smtp.waitFor(before + 2)).slice(before);
    expect(fresh.every((m) => m.subject.endsWith('(còn 1 giờ)'))).toBe(true);
    const list = (await t.app.inject({ url: '/api/reminders', headers: bearer(await login(t.app, 'daibieu01')) })).json() as ReminderNotice[];
    expect(list.map((r) => [r.offsetMinutes, r.startsAt])).toEqual([[60, new Date(later).toISOString()]]);
  });

  it('mails the new-material notice to entitled invitees, once per publication', async () => {
    const before = smtp.mails.length;
    const env = { t, meetingId, tokens: { vanphong: await login(t.app, 'vanphong') }, userId: idOf, close: async () => {} };
    const doc = await uploadOk(env, await makePdf(1), { title: 'Dự thảo Nghị quyết phát triển kinh tế' });
    await publish(env, doc.id);
    const mails = (await smtp.waitFor(before + 2)).slice(before);
    const mine = mails.find((m) => m.rcpt.includes('daibieu01@sonha.gov.vn'))!;
    expect(mine.subject).toBe(`Tài liệu mới: ${title}`);
    expect(mine.text).toContain('- Dự thảo Nghị quyết phát triển kinh tế');
    // Re-publishing notifies nobody again: after it, the next publication's two mails are the only new ones.
    await publish(env, doc.id);
    const next = await uploadOk(env, await makePdf(1), { title: 'Báo cáo tình hình quý II' });
    await publish(env, next.id);
    const four = (await smtp.waitFor(before + 4)).slice(before);
    expect(four.filter((m) => m.text.includes('Dự thảo Nghị quyết'))).toHaveLength(2);
    expect(four.filter((m) => m.text.includes('Báo cáo tình hình quý II'))).toHaveLength(2);
  });
});
