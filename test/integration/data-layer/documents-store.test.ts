/**
 * The documents and QR modules on the async data layer, on the engine of this run (SQLite in the
 * main suite, PostgreSQL in the second pass): publishing notifies each entitled invitee once,
 * receipts and confidential views are logged and counted, edits are audited, and QR codes are
 * issued once per delegate, reissued, revoked and verified against the registry. Uploads, downloads
 * and pages go through HTTP in test/integration/documents.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/src/db/database.ts';
import type { AuthUser } from '../../../server/src/modules/auth/auth.service.ts';
import * as repo from '../../../server/src/modules/documents/documents.repo.ts';
import { confidentialViewLog, documentTitles, receiptLog } from '../../../server/src/modules/documents/documents.receipts.ts';
import { assertDocumentsOfMeeting, DocumentsService } from '../../../server/src/modules/documents/documents.service.ts';
import { QrService } from '../../../server/src/modules/qr/qr.service.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

const HOUR = 3600_000;
const START = Date.parse('2030-05-20T01:30:00.000Z');
let clock = new Date(START - 24 * HOUR);

let tdb: TestDatabase;
let db: Database;
let meetingId = 0;
let itemId = 0;
const ids: Record<string, number> = {};
const docs: Record<string, number> = {};
const events: { to: string; event: string; data: unknown }[] = [];
const published: Map<number, unknown[]>[] = [];
const room = (to: string) => ({ emit: (event: string, data: unknown) => void events.push({ to, event, data }) });
const realtime = { toUser: (id: number) => room(`user:${id}`), toManagers: (id: number) => room(`managers:${id}`) } as never;
let svc: DocumentsService;
let qr: QrService;

const secretariat = (): AuthUser =>
  ({ id: ids.sec!, username: 'sec', fullName: 'Bà Văn phòng', title: '', role: 'secretariat', unitId: ids.unit!, provinceId: ids.unit!, homeBridgePointId: null, bridgePointId: null, active: true, scope: null, sessionId: null }) as AuthUser;

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  await db.tx(async ({ q, t }) => {
    const [prov] = await q.insert(t.units).values({ level: 'province', code: 'SH', name: 'Tỉnh Sơn Hà' }).returning();
    ids.unit = prov!.id;
    const user = async (username: string, role: 'delegate' | 'secretariat' | 'bridge_operator') => {
      const [u] = await q.insert(t.users).values({ username, passwordHash: 'x', fullName: `Ông ${username}`, role, unitId: prov!.id }).returning();
      return (ids[username] = u!.id);
    };
    await user('sec', 'secretariat');
    await user('d1', 'delegate');
    await user('d2', 'delegate');
    await user('op', 'bridge_operator');
    const [bp] = await q.insert(t.bridgePoints).values({ unitId: prov!.id, level: 'provincial', name: 'Điểm cầu tỉnh', roomName: 'P1', operatorUserId: ids.op! }).returning();
    ids.bp = bp!.id;
    const [m] = await q
      .insert(t.meetings)
      .values({ title: 'Kỳ họp thứ 5', kind: 'conference', status: 'scheduled', startsAt: new Date(START).toISOString(), endsAt: new Date(START + 4 * HOUR).toISOString(), chairUnitId: prov!.id })
      .returning();
    meetingId = m!.id;
    await q.insert(t.meetingDelegates).values([{ meetingId, userId: ids.d1! }, { meetingId, userId: ids.d2!, bridgePointId: bp!.id }]);
    await q.insert(t.meetingBridgePoints).values({ meetingId, bridgePointId: bp!.id });
    const [item] = await q.insert(t.agendaItems).values({ meetingId, position: 1, title: 'Khai mạc', plannedMinutes: 10 }).returning();
    itemId = item!.id;
    const doc = async (key: string, classification: 'public_to_meeting' | 'restricted' | 'confidential', extra: { audienceRoles?: ('bridge_operator' | 'delegate')[] } = {}) => {
      const [d] = await q.insert(t.documents).values({ meetingId, title: `Tài liệu ${key}`, classification, createdBy: ids.sec!, ...extra }).returning();
      await q.insert(t.documentVersions).values({ documentId: d!.id, version: 1, fileName: `${key}.pdf`, mime: 'application/pdf', size: 100, sha256: key.padEnd(64, '0'), pages: 2, confidential: classification === 'confidential' });
      return (docs[key] = d!.id);
    };
    await doc('a', 'public_to_meeting');
    await doc('b', 'restricted', { audienceRoles: ['bridge_operator'] });
    await doc('c', 'confidential');
  });
  svc = new DocumentsService(db, {} as never, {} as never, realtime, 1 << 20, (_m, byUser) => void published.push(byUser));
  qr = new QrService(db, { secret: 'x'.repeat(32), publicBaseUrl: 'http://192.0.2.10:3000', graceHours: 12, now: () => clock });
});
afterAll(async () => {
  await tdb?.cleanup();
});

const audits = (action: string) => db.run(({ q, t }) => q.select().from(t.auditLog).where(eq(t.auditLog.action, action)).orderBy(t.auditLog.id));

describe(`documents and QR on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('publishes, notifying each entitled invitee once, with an audit entry per document', async () => {
    const out = await svc.publish(meetingId, [docs.a!, docs.b!], secretariat());
    expect(out.map((d) => [d.id, d.status])).toEqual([[docs.a, 'published'], [docs.b, 'published']]);
    expect([...published[0]!.keys()].sort()).toEqual([ids.d1, ids.d2, ids.op].sort());
    // The restricted document reaches only the operator.
    expect(published[0]!.get(ids.op!)).toHaveLength(2);
    expect(published[0]!.get(ids.d1!)).toHaveLength(1);
    await svc.publish(meetingId, [docs.a!], secretariat());
    expect(published[1]!.size).toBe(0);
    expect((await audits('document.publish')).map((a) => a.targetId)).toEqual([String(docs.a), String(docs.b), String(docs.a)]);
    const pending = await db.run((s) => repo.pendingNotifications(s, ids.op!));
    expect(pending.map((n) => n.documentId)).toEqual([docs.a, docs.b]);
    await svc.markSeen(ids.op!, [pending[0]!.id]);
    expect((await db.run((s) => repo.pendingNotifications(s, ids.op!))).map((n) => n.documentId)).toEqual([docs.b]);
  });

  it('lists what a reader may see and counts receipts per bridge point', async () => {
    const d1 = await db.run(async (s) => repo.visibleDocs(s, meetingId, await repo.readerOf(s, { role: 'delegate', unitId: ids.unit!, bridgePointId: null }, { kind: 'delegate', bridgePointId: null })));
    expect(d1.map((d) => [d.info.id, d.access])).toEqual([[docs.a, 'download']]);
    const a = await db.run((s) => repo.getDoc(s, meetingId, docs.a!));
    await svc.recordReceipt(a, 1, { userId: ids.d1!, fullName: 'Ông d1', bridgePointId: null, channel: 'web', tokenJti: null });
    await svc.recordReceipt(a, 1, { userId: null, fullName: null, bridgePointId: ids.bp!, channel: 'qr', tokenJti: 'venue' });
    expect(events.filter((e) => e.event === 'document:received')).toHaveLength(2);
    const counts = await svc.receiptCounts(meetingId);
    expect(counts.byDocument.find((d) => d.documentId === docs.a)).toMatchObject({ received: 1, expected: 3, anonymous: 1 });
    expect(counts.byBridgePoint.find((b) => b.bridgePointId === ids.bp)).toMatchObject({ name: 'Điểm cầu tỉnh', expected: 3, received: 0 });
    expect((await db.run((s) => receiptLog(s, meetingId))).map((r) => [r.name, r.bridge, r.channel])).toEqual([['Ông d1', null, 'web'], [null, 'Điểm cầu tỉnh', 'qr']]);
    expect((await db.run((s) => documentTitles(s, meetingId))).map((d) => d.id)).toEqual([docs.a, docs.b, docs.c]);
  });

  it('seals versions, audits edits and attachments, and refuses foreign agenda links', async () => {
    const sec = secretariat();
    await svc.update(meetingId, docs.b!, { classification: 'confidential' }, sec, '192.0.2.1');
    expect(await db.run((s) => repo.everConfidentialIds(s, [docs.a!, docs.b!, docs.c!]))).toEqual(new Set([docs.b, docs.c]));
    expect(await audits('document.update')).toHaveLength(1);
    const info = await svc.attach(meetingId, docs.a!, { agendaItemId: itemId, attached: true }, sec, '192.0.2.1');
    expect(info.agendaItemIds).toEqual([itemId]);
    expect(await audits('document.attach')).toHaveLength(1);
    await expect(db.run((s) => assertDocumentsOfMeeting(s, meetingId, [docs.a!, 999_999]))).rejects.toThrow(/999999/);
    const c = await db.run((s) => repo.getDoc(s, meetingId, docs.c!));
    await expect(svc.assertDownloadable(c, c.ver, 'view', { userId: ids.d1!, ip: '192.0.2.1', via: 'web' })).rejects.toMatchObject({ code: 'CONFIDENTIAL' });
    expect(await audits('document.confidential_link_refused')).toHaveLength(1);
    await db.run(({ q, t }) => q.insert(t.confidentialViews).values({ documentId: docs.c!, version: 1, userId: ids.d2!, page: 2 }));
    expect((await db.run((s) => confidentialViewLog(s, meetingId))).map((v) => [v.name, v.page])).toEqual([['Ông d2', 2]]);
  });

  it('issues one code per delegate, reissues, revokes and verifies against the registry', async () => {
    const people = [ids.d1!, ids.d2!];
    const first = await db.tx((s) => qr.current(s, 'delegate', meetingId, people, ids.sec!));
    const again = await db.tx((s) => qr.current(s, 'delegate', meetingId, people, ids.sec!));
    expect(again.map((r) => r.jti)).toEqual(first.map((r) => r.jti));
    const token = qr.tokenOf(first[0]!);
    expect(await qr.verify(token, meetingId)).toMatchObject({ ok: true, claims: { subjectId: ids.d1 } });
    expect(await qr.verify(token, meetingId + 1)).toMatchObject({ ok: false, reason: 'wrong_meeting' });
    const { row, revoked } = await db.tx((s) => qr.reissue(s, 'delegate', meetingId, ids.d1!, ids.sec!));
    expect(revoked).toEqual([first[0]!.jti]);
    expect(await qr.verify(token)).toMatchObject({ ok: false, reason: 'revoked' });
    await db.tx((s) => qr.revoke(s, meetingId, first[1]!.jti, ids.sec!));
    const listed = await qr.list(meetingId);
    // Issued within one tick of the test clock: their order is not the point here.
    expect(listed.map((t) => `${t.subjectName}:${t.revokedAt ? 'revoked' : 'live'}`).sort()).toEqual(['Ông d1:live', 'Ông d1:revoked', 'Ông d2:revoked']);
    expect(listed.find((t) => t.jti === row.jti)!.expiresAt).toBe(new Date(START + 16 * HOUR).toISOString());
    clock = new Date(START + 17 * HOUR);
    expect(await qr.verify(qr.tokenOf(row))).toMatchObject({ ok: false, reason: 'expired' });
  });
});
