/** Receipt counts for the secretariat: who of the entitled invitees has each published, linkable document. */
import type { ReceiptCounts } from '@diemcau/shared';
import { asc, eq } from 'drizzle-orm';
import type { Store } from '../../db/database.ts';
import { documentAccess, linkable } from './documents.access.ts';
import * as repo from './documents.repo.ts';

/** Per document and per bridge point: how many entitled invitees have downloaded it (links only: sealed versions are not counted). */
export async function receiptCounts(s: Store, meetingId: number): Promise<ReceiptCounts> {
  const people = await repo.invitees(s, meetingId);
  const receipts = await repo.receiptRows(s, meetingId);
  const docs = (await repo.listDocs(s, meetingId)).filter((d) => d.doc.publishedAt && linkable(d.doc.classification, d.ver));
  const bpTotals = new Map<number | null, { received: number; expected: number }>();
  const byDocument = docs.map(({ doc }) => {
    const entitled = people.filter((p) => documentAccess(repo.accessFacts(doc), p.reader) === 'download');
    const got = new Set(receipts.filter((r) => r.documentId === doc.id && r.userId != null).map((r) => r.userId));
    const perBp = new Map<number | null, { received: number; expected: number }>();
    for (const p of entitled) {
      for (const m of [perBp, bpTotals]) {
        const c = m.get(p.bridgePointId) ?? { received: 0, expected: 0 };
        c.expected++;
        if (got.has(p.userId)) c.received++;
        m.set(p.bridgePointId, c);
      }
    }
    return {
      documentId: doc.id,
      title: doc.title,
      received: entitled.filter((p) => got.has(p.userId)).length,
      expected: entitled.length,
      anonymous: receipts.filter((r) => r.documentId === doc.id && r.userId == null).length,
      byBridgePoint: [...perBp].map(([bridgePointId, c]) => ({ bridgePointId, ...c })),
    };
  });
  const names = await repo.bridgePointNames(s, [...bpTotals.keys()].filter((k): k is number => k != null));
  const byBridgePoint = [...bpTotals].map(([bridgePointId, c]) => ({ bridgePointId, name: bridgePointId == null ? 'Thiết bị cá nhân' : (names.get(bridgePointId) ?? ''), ...c }));
  return { byDocument, byBridgePoint };
}

/** Every receipt of the meeting's documents, oldest first, with the receiver's name and bridge point (the minutes' export). */
export function receiptLog({ q, t }: Store, meetingId: number) {
  const { documentReceipts: r, users, bridgePoints } = t;
  return q
    .select({ documentId: r.documentId, version: r.version, name: users.fullName, bridge: bridgePoints.name, channel: r.channel, at: r.at })
    .from(r)
    .leftJoin(users, eq(users.id, r.userId))
    .leftJoin(bridgePoints, eq(bridgePoints.id, r.bridgePointId))
    .where(eq(r.meetingId, meetingId))
    .orderBy(asc(r.id));
}

/** Every page view of the meeting's confidential documents, oldest first, with the viewer's name (the minutes' export). */
export function confidentialViewLog({ q, t }: Store, meetingId: number) {
  const { confidentialViews: v, documents, users } = t;
  return q
    .select({ documentId: v.documentId, version: v.version, name: users.fullName, page: v.page, at: v.at })
    .from(v)
    .innerJoin(documents, eq(documents.id, v.documentId))
    .innerJoin(users, eq(users.id, v.userId))
    .where(eq(documents.meetingId, meetingId))
    .orderBy(asc(v.id));
}

/** The meeting's documents in order, with title and publication time (the minutes' export numbers them by this order). */
export function documentTitles({ q, t }: Store, meetingId: number) {
  const { documents } = t;
  return q.select({ id: documents.id, title: documents.title, publishedAt: documents.publishedAt }).from(documents).where(eq(documents.meetingId, meetingId)).orderBy(asc(documents.id));
}
