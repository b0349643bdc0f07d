/**
 * Database access for documents, receipts, notifications and invited people.
 * Synchronous better-sqlite3 calls; callers wrap writes in transactions.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DocumentInfo, DocumentNotification, DocumentVersion, Role } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { agendaItems, bridgePoints, meetings, units } from '../../db/schema.ts';
import { notFound } from '../../lib/app-error.ts';
import { preparedFor } from '../../lib/prepared.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { bridgePointOf, invitedPeople, type Membership } from '../meetings/meetings.access.ts';
import { PageRenderer } from './documents.render.ts';
import { linkable, type Reader } from './documents.access.ts';
import { documentNotifications, documentReceipts, documents, documentVersions, type DocumentRow, type VersionRow } from './documents.schema.ts';

export interface DocWithVersion {
  doc: DocumentRow;
  ver: VersionRow;
}

export function getDoc(db: Db, meetingId: number, docId: number): DocWithVersion {
  const doc = db.select().from(documents).where(and(eq(documents.id, docId), eq(documents.meetingId, meetingId))).get();
  if (!doc) throw notFound('Document');
  return { doc, ver: getVersion(db, doc.id, doc.currentVersion) };
}

/** A document by id alone (the QR file route checks the meeting against the token). */
export function findDoc(db: Db, docId: number): DocWithVersion {
  const doc = db.select().from(documents).where(eq(documents.id, docId)).get();
  if (!doc) throw notFound('Document');
  return { doc, ver: getVersion(db, doc.id, doc.currentVersion) };
}

export function getVersion(db: Db, docId: number, version: number): VersionRow {
  const ver = db.select().from(documentVersions).where(and(eq(documentVersions.documentId, docId), eq(documentVersions.version, version))).get();
  if (!ver) throw notFound('Document version');
  return ver;
}

// Read by every meeting:join (the snapshot's documents part): after a restart, 2,000 times within seconds.
const docsOf = preparedFor((db) =>
  db
    .select({ doc: documents, ver: documentVersions })
    .from(documents)
    .innerJoin(documentVersions, and(eq(documentVersions.documentId, documents.id), eq(documentVersions.version, documents.currentVersion)))
    .where(eq(documents.meetingId, sql.placeholder('meetingId')))
    .orderBy(documents.id)
    .prepare(),
);

export function listDocs(db: Db, meetingId: number): DocWithVersion[] {
  return docsOf(db).all({ meetingId });
}

/** Which of `docIds` have any version marked confidential (such a document is treated as confidential for good). */
export function everConfidentialIds(db: Db, docIds: number[]): Set<number> {
  if (!docIds.length) return new Set();
  return new Set(
    db
      .select({ id: documentVersions.documentId })
      .from(documentVersions)
      .where(and(eq(documentVersions.confidential, true), inArray(documentVersions.documentId, docIds)))
      .all()
      .map((r) => r.id),
  );
}

export function listVersions(db: Db, doc: DocumentRow): DocumentVersion[] {
  return db
    .select()
    .from(documentVersions)
    .where(eq(documentVersions.documentId, doc.id))
    .orderBy(desc(documentVersions.version))
    .all()
    .map((v) => ({ version: v.version, fileName: v.fileName, mime: v.mime, size: v.size, sha256: v.sha256, pages: v.pages, uploadedAt: v.uploadedAt, downloadable: linkable(doc.classification, v) }));
}

const itemDocs = preparedFor((db) =>
  db.select({ id: agendaItems.id, docs: agendaItems.documentIds }).from(agendaItems).where(eq(agendaItems.meetingId, sql.placeholder('meetingId'))).prepare(),
);

/** Agenda items of the meeting that list each document. */
export function agendaLinks(db: Db, meetingId: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const item of itemDocs(db).all({ meetingId })) {
    for (const d of item.docs ?? []) out.set(d, [...(out.get(d) ?? []), item.id]);
  }
  return out;
}

export function toInfo({ doc, ver }: DocWithVersion, links: Map<number, number[]>): DocumentInfo {
  return {
    id: doc.id,
    meetingId: doc.meetingId,
    title: doc.title,
    classification: doc.classification,
    audienceRoles: doc.audienceRoles,
    audienceUnitIds: doc.audienceUnitIds,
    version: ver.version,
    fileName: ver.fileName,
    mime: ver.mime,
    size: ver.size,
    sha256: ver.sha256,
    pages: ver.pages,
    status: doc.publishedAt ? 'published' : 'draft',
    publishedAt: doc.publishedAt,
    downloadable: linkable(doc.classification, ver),
    viewable: PageRenderer.canRender(ver.mime),
    agendaItemIds: links.get(doc.id) ?? [],
  };
}

export const accessFacts = (doc: DocumentRow) => ({
  classification: doc.classification,
  audienceRoles: doc.audienceRoles,
  audienceUnitIds: doc.audienceUnitIds,
  published: doc.publishedAt != null,
});

const unitOfBridge = preparedFor((db) => db.select({ u: bridgePoints.unitId }).from(bridgePoints).where(eq(bridgePoints.id, sql.placeholder('id'))).prepare());
const bpUnit = (db: Db, bpId: number | null) => (bpId == null ? null : (unitOfBridge(db).get({ id: bpId })?.u ?? null));

/** The reader facts of a signed-in user for a meeting. */
export function readerOf(db: Db, user: Pick<AuthUser, 'role' | 'unitId' | 'bridgePointId'>, membership: Membership | null): Reader {
  const bp = bridgePointOf(membership) ?? user.bridgePointId;
  const unitIds = [user.unitId, bpUnit(db, bp)].filter((u): u is number => u != null);
  return { role: user.role, unitIds, membership };
}

/** The unit shown for a reader (watermark, QR page): the bridge point's unit they attend, else their own. */
export function unitNameOf(db: Db, reader: Reader): string {
  const id = reader.unitIds[reader.unitIds.length - 1];
  return id == null ? '' : (db.select({ n: units.name }).from(units).where(eq(units.id, id)).get()?.n ?? '');
}

export interface Invitee {
  userId: number;
  fullName: string;
  title: string;
  unitName: string;
  bridgePointId: number | null;
  reader: Reader;
}

/** Every invited person of a meeting, as a reader of its documents. */
export function invitees(db: Db, meetingId: number): Invitee[] {
  const unitNames = new Map(db.select({ id: units.id, n: units.name }).from(units).all().map((r) => [r.id, r.n]));
  return invitedPeople(db, meetingId).map(({ user: u, kind, bridgePointId: bp, bridgeUnitId }) => {
    const unitIds = [u.unitId, bridgeUnitId].filter((x): x is number => x != null);
    // A delegate seated at a bridge point reads as that hall; an operator always does.
    const unitName = (bridgeUnitId != null ? unitNames.get(bridgeUnitId) : undefined) ?? (kind === 'delegate' ? unitNames.get(u.unitId ?? -1) : undefined) ?? '';
    const membership: Membership = kind === 'delegate' ? { kind, bridgePointId: bp } : { kind, bridgePointId: bp! };
    return { userId: u.id, fullName: u.fullName, title: u.title, unitName, bridgePointId: bp, reader: { role: u.role as Role, unitIds, membership } };
  });
}

export function bridgePointNames(db: Db, ids: number[]): Map<number, string> {
  if (!ids.length) return new Map();
  return new Map(db.select({ id: bridgePoints.id, n: bridgePoints.name }).from(bridgePoints).where(inArray(bridgePoints.id, ids)).all().map((r) => [r.id, r.n]));
}

/** Distinct (document, user) receipts and anonymous counts of a meeting. */
export function receiptRows(db: Db, meetingId: number) {
  return db
    .select({ documentId: documentReceipts.documentId, userId: documentReceipts.userId, bridgePointId: documentReceipts.bridgePointId })
    .from(documentReceipts)
    .where(eq(documentReceipts.meetingId, meetingId))
    .all();
}

export function pendingNotifications(db: Db, userId: number): DocumentNotification[] {
  return db
    .select({ id: documentNotifications.id, meetingId: documentNotifications.meetingId, meetingTitle: meetings.title, documentId: documents.id, title: documents.title, createdAt: documentNotifications.createdAt })
    .from(documentNotifications)
    .innerJoin(documents, eq(documents.id, documentNotifications.documentId))
    .innerJoin(meetings, eq(meetings.id, documentNotifications.meetingId))
    .where(and(eq(documentNotifications.userId, userId), isNull(documentNotifications.seenAt)))
    .orderBy(documentNotifications.id)
    .all();
}
