/** Receipt counts for the secretariat: who of the entitled invitees has each published, linkable document. */
import type { ReceiptCounts } from '@diemcau/shared';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { bridgePoints, users } from '../../db/schema.ts';
import { confidentialViews, documentReceipts, documents } from './documents.schema.ts';
import { documentAccess, linkable } from './documents.access.ts';
import * as repo from './documents.repo.ts';

/** Per document and per bridge point: how many entitled invitees have downloaded it (links only: sealed versions are not counted). */
export function receiptCounts(db: Db, meetingId: number): ReceiptCounts {
  const people = repo.invitees(db, meetingId);
  const receipts = repo.receiptRows(db, meetingId);
  const docs = repo.listDocs(db, meetingId).filter((d) => d.doc.publishedAt && linkable(d.doc.classification, d.ver));
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
  const names = repo.bridgePointNames(db, [...bpTotals.keys()].filter((k): k is number => k != null));
  const byBridgePoint = [...bpTotals].map(([bridgePointId, c]) => ({ bridgePointId, name: bridgePointId == null ? 'Thiết bị cá nhân' : (names.get(bridgePointId) ?? ''), ...c }));
  return { byDocument, byBridgePoint };
}

/** Every receipt of the meeting's documents, oldest first, with the receiver's name and bridge point (the minutes' export). */
export function receiptLog(db: Db, meetingId: number) {
  return db
    .select({ documentId: documentReceipts.documentId, version: documentReceipts.version, name: users.fullName, bridge: bridgePoints.name, channel: documentReceipts.channel, at: documentReceipts.at })
    .from(documentReceipts)
    .leftJoin(users, eq(users.id, documentReceipts.userId))
    .leftJoin(bridgePoints, eq(bridgePoints.id, documentReceipts.bridgePointId))
    .where(eq(documentReceipts.meetingId, meetingId))
    .orderBy(asc(documentReceipts.id))
    .all();
}

/** Every page view of the meeting's confidential documents, oldest first, with the viewer's name (the minutes' export). */
export function confidentialViewLog(db: Db, meetingId: number) {
  return db
    .select({ documentId: confidentialViews.documentId, version: confidentialViews.version, name: users.fullName, page: confidentialViews.page, at: confidentialViews.at })
    .from(confidentialViews)
    .innerJoin(documents, eq(documents.id, confidentialViews.documentId))
    .innerJoin(users, eq(users.id, confidentialViews.userId))
    .where(eq(documents.meetingId, meetingId))
    .orderBy(asc(confidentialViews.id))
    .all();
}

/** The meeting's documents in order, with title and publication time (the minutes' export numbers them by this order). */
export function documentTitles(db: Db, meetingId: number) {
  return db.select({ id: documents.id, title: documents.title, publishedAt: documents.publishedAt }).from(documents).where(eq(documents.meetingId, meetingId)).orderBy(asc(documents.id)).all();
}
