/**
 * The minutes of a meeting run to its end over real sockets: absences, a floor
 * queue, an open and a secret poll; two secretaries editing one conclusion;
 * finalising (signed PDF, hash in the audit chain, verify command), the
 * refusal to edit a final record, an amendment, exports and the archive.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMinutesCli } from '../../../server/src/modules/minutes/minutes.cli.ts';
import { verifyRecorded, verifySignature } from '../../../server/src/modules/minutes/minutes.verify.ts';
import { bearer, buildTestApp, login, request, type TestApp } from '../../helpers/app.ts';
import { makeCerts, type LocalCerts } from '../../helpers/certs.ts';
import { cast, join as joinRoom, meetingIdOf, okData, type Member } from '../voting/helpers.ts';

let t: TestApp;
let meetingId: number;
let token: string;
let adminToken: string;
let certs: LocalCerts;
const members: Member[] = [];
const SECRET_TITLE = 'Phương án nhân sự khóa mới (mật)';
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString();

const api = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, tok = token) =>
  t.app.inject({ method, url: `/api${url}`, headers: bearer(tok), ...(payload !== undefined && { payload: payload as object }) });

beforeAll(async () => {
  certs = makeCerts();
  t = await buildTestApp({ config: { minutes: { signP12: null, signPassword: 'thu-nghiem', certDir: certs.dir } } });
  await t.listen();
  meetingId = await meetingIdOf(t);
  token = await login(t.app, 'vanphong');
  adminToken = await login(t.app, 'admin');
  const chair = await joinRoom(t, 'vanphong', meetingId, token);
  members.push(chair);
  okData(await request(chair.socket, 'meeting:start', { meetingId }));
  const ds = await Promise.all(['daibieu01', 'daibieu02', 'daibieu03'].map((n) => joinRoom(t, n, meetingId)));
  members.push(...ds);
  for (const d of ds) okData(await request(d.socket, 'presence:set-delegate', { meetingId, status: 'present_online' }));
  const absent = (t.app.db.$client.prepare("SELECT id FROM users WHERE username = 'daibieu04'").get() as { id: number }).id;
  okData(await request(chair.socket, 'presence:set-delegate', { meetingId, userId: absent, status: 'absent', reason: 'Ốm, có giấy xin phép' }));

  // Floor queue: two ask, the first is heard, the second withdraws.
  okData(await request(ds[0]!.socket, 'floor:request', { meetingId, topic: 'Giao thông nông thôn' }));
  okData(await request(ds[1]!.socket, 'floor:request', { meetingId }));
  const queue = (await t.app.conference.state(meetingId)).floor.queue;
  okData(await request(chair.socket, 'floor:grant', { meetingId, requestId: queue[0]!.id }));
  okData(await request(chair.socket, 'floor:revoke', { meetingId }));
  okData(await request(ds[1]!.socket, 'floor:withdraw', { meetingId, requestId: queue[1]!.id }));

  // An open and a secret poll.
  for (const mode of ['open', 'secret'] as const) {
    const poll = okData(await request<{ id: number }>(chair.socket, 'poll:create', { agendaItemId: null, title: `Biểu quyết ${mode}`, kind: 'approval', mode, majority: 'simple' }));
    okData(await request(chair.socket, 'poll:open', { pollId: poll.id }));
    okData(await cast(ds[0]!, poll.id, ['yes']));
    okData(await cast(ds[1]!, poll.id, ['yes']));
    okData(await cast(ds[2]!, poll.id, ['no']));
    okData(await request(chair.socket, 'poll:close', { pollId: poll.id }));
  }
  // A published confidential document attached to the first item: its title must never be printed.
  const sql = t.app.db.$client;
  const doc = sql
    .prepare("INSERT INTO documents (meeting_id, title, classification, published_at) VALUES (?, ?, 'confidential', '2026-01-01T00:00:00Z') RETURNING id")
    .get(meetingId, SECRET_TITLE) as { id: number };
  sql.prepare("INSERT INTO document_versions (document_id, version, file_name, mime, size, sha256, confidential) VALUES (?, 1, 'mat.pdf', 'application/pdf', 1, ?, 1)").run(doc.id, 'f'.repeat(64));
  const first = sql.prepare('SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position LIMIT 1').get(meetingId) as { id: number };
  sql.prepare('UPDATE agenda_items SET document_ids = ? WHERE id = ?').run(JSON.stringify([doc.id]), first.id);
  okData(await request(chair.socket, 'meeting:end', { meetingId }));
}, 120_000);

afterAll(async () => {
  for (const m of members) m.socket.close();
  await t?.close();
});

describe('minutes', () => {
  it('refuses a meeting that has not ended', async () => {
    const other = t.app.db.$client.prepare("SELECT id FROM meetings WHERE status = 'scheduled' LIMIT 1").get() as { id: number } | undefined;
    if (!other) return expect(other).toBeUndefined();
    const res = await api('GET', `/meetings/${other.id}/minutes`);
    expect(res.statusCode).toBe(409);
  });

  it('builds the draft from what happened', async () => {
    const res = await api('GET', `/meetings/${meetingId}/minutes`);
    expect(res.statusCode).toBe(200);
    const { model, minutes } = res.json();
    expect(minutes).toMatchObject({ version: 1, status: 'draft' });
    expect(model.attendance.overall.presentOnline).toBe(3);
    expect(model.attendance.absentees).toContainEqual(expect.objectContaining({ reason: 'Ốm, có giấy xin phép' }));
    const speakers = model.items.flatMap((i: { speakers: { name: string }[] }) => i.speakers);
    expect(speakers).toHaveLength(1);
    expect(model.items.reduce((s: number, i: { unheardRequests: number }) => s + i.unheardRequests, 0)).toBe(1);
    expect(model.polls.map((p: { mode: string; options: { votes: number }[] }) => [p.mode, p.options.map((o) => o.votes)])).toEqual([
      ['open', [2, 1, 0]],
      ['secret', [2, 1, 0]],
    ]);
  });

  it('merges two secretaries editing the same conclusion from the same base', async () => {
    const a = await api('PUT', `/meetings/${meetingId}/minutes/fields/overall`, { value: 'Thống nhất thông qua báo cáo.', baseVersion: 0 });
    expect(a.json()).toMatchObject({ version: 1, merged: false });
    const b = await api('PUT', `/meetings/${meetingId}/minutes/fields/overall`, { value: 'Giao Văn phòng hoàn thiện.', baseVersion: 0 }, adminToken);
    expect(b.json()).toMatchObject({ version: 2, merged: true });
    expect(b.json().value).toContain('Thống nhất thông qua báo cáo.');
    expect(b.json().value).toContain('Giao Văn phòng hoàn thiện.');
    const bad = await api('PUT', `/meetings/${meetingId}/minutes/fields/bogus`, { value: 'x', baseVersion: 0 });
    expect(bad.statusCode).toBe(400);
  });

  it('finalises: signed PDF whose hash the audit chain holds; a one-byte change fails both checks', async () => {
    const fin = await api('POST', `/meetings/${meetingId}/minutes/finalise`);
    expect(fin.statusCode, fin.body).toBe(200);
    const { pdfSha256, pollHeads } = fin.json();
    expect(pollHeads).toHaveLength(2);
    const file = await api('GET', `/meetings/${meetingId}/minutes/file.pdf`);
    const pdf = file.rawPayload;
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(pdfSha256);
    const audit = t.app.db.$client.prepare("SELECT details FROM audit_log WHERE action = 'minutes.finalise'").get() as { details: string };
    expect(JSON.parse(audit.details).pdfSha256).toBe(pdfSha256);
    const ca = certs.caFile;
    expect(verifySignature(pdf, ca).ok).toBe(true);
    expect((await t.app.database.run((s) => verifyRecorded(s, pdf))).ok).toBe(true);
    const text = pdfText(pdf);
    expect(text).toContain('Ốm, có giấy xin phép');
    expect(text).toContain('(tài liệu mật)');
    expect(text).not.toContain('Phương án nhân sự');
    const docx = await api('GET', `/meetings/${meetingId}/minutes/file.docx`);
    expect(docx.rawPayload.includes(Buffer.from('Phương án nhân sự'))).toBe(false);
    expect(text).toContain('Giao Văn phòng hoàn thiện.');

    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf('BT') + 3;
    tampered[at] = tampered[at]! ^ 0x01;
    expect(verifySignature(tampered, ca).ok).toBe(false);
    expect((await t.app.database.run((s) => verifyRecorded(s, tampered))).ok).toBe(false);

    const dir = mkdtempSync(join(tmpdir(), 'diemcau-verify-'));
    writeFileSync(join(dir, 'ok.pdf'), pdf);
    writeFileSync(join(dir, 'bad.pdf'), tampered);
    const dbFile = join(t.dataDir, 'diemcau.sqlite');
    const lines: string[] = [];
    expect(await verifyMinutesCli([join(dir, 'ok.pdf'), '--db', dbFile, '--ca', ca], (l) => lines.push(l))).toBe(0);
    expect(await verifyMinutesCli([join(dir, 'bad.pdf'), '--db', dbFile, '--ca', ca], (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/^OK/);
    expect(lines[1]).toMatch(/^FAILED/);
  });

  it('refuses edits to the final record; an amendment is a new version that says what changed', async () => {
    const edit = await api('PUT', `/meetings/${meetingId}/minutes/fields/overall`, { value: 'đổi', baseVersion: 2 });
    expect(edit.statusCode).toBe(409);
    expect((await api('POST', `/meetings/${meetingId}/minutes/amend`, { changeNote: ' ' })).statusCode).toBe(400);
    const amend = await api('POST', `/meetings/${meetingId}/minutes/amend`, { changeNote: 'Bổ sung kết luận về giao thông' });
    expect(amend.json()).toMatchObject({ version: 2 });
    const view = (await api('GET', `/meetings/${meetingId}/minutes`)).json();
    expect(view.minutes).toMatchObject({ version: 2, status: 'draft', changeNote: 'Bổ sung kết luận về giao thông' });
    expect(view.fields.overall.value).toContain('Giao Văn phòng hoàn thiện.');
    expect(view.versions.map((v: { status: string }) => v.status)).toEqual(['final', 'draft']);
    // The first version's signed file is still served unchanged.
    const v1 = await api('GET', `/meetings/${meetingId}/minutes/file.pdf?version=1`);
    expect((await t.app.database.run((s) => verifyRecorded(s, v1.rawPayload))).ok).toBe(true);
  });

  it('exports attendance as CSV and poll results as XLSX', async () => {
    const csv = await api('GET', `/meetings/${meetingId}/minutes/export/attendance.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Ốm, có giấy xin phép');
    const xlsx = await api('GET', `/meetings/${meetingId}/minutes/export/polls.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const values = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(values).toContain('Bỏ phiếu kín');
    expect((await api('GET', `/meetings/${meetingId}/minutes/export/nothing.csv`)).statusCode).toBe(400);
  });

  it('finds the meeting in the archive by conclusion text with or without diacritics', async () => {
    for (const q of ['giao văn phòng', 'giao van phong', 'GIAO VAN PHONG']) {
      const res = await api('GET', `/minutes/archive?q=${encodeURIComponent(q)}`);
      expect(res.json().map((r: { id: number }) => r.id)).toContain(meetingId);
    }
    const none = await api('GET', `/minutes/archive?q=${encodeURIComponent('không có chữ này')}`);
    expect(none.json()).toEqual([]);
  });

  it('prints the state layout (Nghị định 30) once the province chooses it; the final version keeps its own', async () => {
    const body = { style: 'state', superior: 'UBND tỉnh Sơn Hà', issuer: 'Văn phòng', symbol: 'BB-VP', place: 'Sơn Hà' };
    expect((await api('PUT', '/minutes/settings', body)).statusCode).toBe(200);
    expect((await api('GET', '/minutes/settings')).json()).toMatchObject({ style: 'state', symbol: 'BB-VP' });
    expect((await api('PUT', '/minutes/settings', { ...body, style: 'royal' })).statusCode).toBe(400);
    const draft = pdfText((await api('GET', `/meetings/${meetingId}/minutes/file.pdf`)).rawPayload);
    expect(draft).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(draft).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(draft).toContain('Bản sửa đổi lần 1');
    expect(draft).not.toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
    const v1 = pdfText((await api('GET', `/meetings/${meetingId}/minutes/file.pdf?version=1`)).rawPayload);
    expect(v1).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
  });
});
