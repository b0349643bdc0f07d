/**
 * Database access for documents, receipts, notifications and invited people. On the async data
 * layer (db/database.ts), so it runs on SQLite and PostgreSQL alike; callers group writes in
 * `database.tx`.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DocumentInfo, DocumentNotification, DocumentVersion, Role } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { hot } from '../../db/dialect.ts';
import { notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { bridgePointOf, type Membership } from '../meetings/meetings.access.ts';
import { invitedPeople } from '../meetings/meetings.access.ts';
import { PageRenderer } from './documents.render.ts';
import { documentAccess, linkable, type Access, type Reader } from './documents.access.ts';
import type { DocumentRow, VersionRow } from './documents.schema.ts';

export interface DocWithVersion {
  doc: DocumentRow;
  ver: VersionRow;
}

export async function getDoc(s: Store, meetingId: number, docId: number): Promise<DocWithVersion> {
  const { documents } = s.t;
  const [doc] = await s.q.select().from(documents).where(and(eq(documents.id, docId), eq(documents.meetingId, meetingId)));
  if (!doc) throw notFound('Document');
  return { doc, ver: await getVersion(s, doc.id, doc.currentVersion) };
}

/** A document by id alone (the QR file route checks the meeting against the token). */
export async function findDoc(s: Store, docId: number): Promise<DocWithVersion> {
  const { documents } = s.t;
  const [doc] = await s.q.select().from(documents).where(eq(documents.id, docId));
  if (!doc) throw notFound('Document');
  return { doc, ver: await getVersion(s, doc.id, doc.currentVersion) };
}

export async function getVersion({ q, t }: Store, docId: number, version: number): Promise<VersionRow> {
  const v = t.documentVersions;
  const [ver] = await q.select().from(v).where(and(eq(v.documentId, docId), eq(v.version, version)));
  if (!ver) throw notFound('Document version');
  return ver;
}

// Every meeting:join's snapshot lists the documents: prepared, as building this join costs many
// times what running it does on SQLite (db/dialect.ts).
const docsQuery = hot(({ q, t: { documents, documentVersions } }) =>
  q
    .select({ doc: documents, ver: documentVersions })
    .from(documents)
    .innerJoin(documentVersions, and(eq(documentVersions.documentId, documents.id), eq(documentVersions.version, documents.currentVersion)))
    .where(eq(documents.meetingId, sql.placeholder('meetingId')))
    .orderBy(documents.id),
);

/** The meeting's documents with their current versions, in id order. */
export function listDocs(s: Store, meetingId: number): Promise<DocWithVersion[]> {
  return docsQuery(s, { meetingId });
}

/** Which of `docIds` have any version marked confidential (such a document is treated as confidential for good). */
export async function everConfidentialIds({ q, t }: Store, docIds: number[]): Promise<Set<number>> {
  if (!docIds.length) return new Set();
  const v = t.documentVersions;
  const rows = await q.select({ id: v.documentId }).from(v).where(and(eq(v.confidential, true), inArray(v.documentId, docIds)));
  return new Set(rows.map((r) => r.id));
}

export async function listVersions({ q, t }: Store, doc: DocumentRow): Promise<DocumentVersion[]> {
  const v = t.documentVersions;
  const rows = await q.select().from(v).where(eq(v.documentId, doc.id)).orderBy(desc(v.version));
  return rows.map((r) => ({ version: r.version, fileName: r.fileName, mime: r.mime, size: r.size, sha256: r.sha256, pages: r.pages, uploadedAt: r.uploadedAt, downloadable: linkable(doc.classification, r) }));
}

/** Agenda items of the meeting that list each document (in item id order). */
export async function agendaLinks({ q, t }: Store, meetingId: number): Promise<Map<number, number[]>> {
  const { agendaItems } = t;
  const out = new Map<number, number[]>();
  for (const item of await q.select({ id: agendaItems.id, docs: agendaItems.documentIds }).from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).orderBy(agendaItems.id)) {
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

/** The document as shown in a list. */
export async function docInfo(s: Store, meetingId: number, docId: number): Promise<DocumentInfo> {
  return toInfo(await getDoc(s, meetingId, docId), await agendaLinks(s, meetingId));
}

/**
 * Documents of the meeting the reader may see, with what they may do. Read by every meeting:join
 * (the snapshot's documents part): after a restart, 2,000 times within seconds.
 */
export async function visibleDocs(s: Store, meetingId: number, reader: Reader): Promise<{ info: DocumentInfo; access: Access }[]> {
  const links = await agendaLinks(s, meetingId);
  return (await listDocs(s, meetingId))
    .map((d) => ({ info: toInfo(d, links), access: documentAccess(accessFacts(d.doc), reader) }))
    .filter((d) => d.access !== 'none');
}

/** The reader facts of a signed-in user for a meeting. */
export async function readerOf({ q, t }: Store, user: Pick<AuthUser, 'role' | 'unitId' | 'bridgePointId'>, membership: Membership | null): Promise<Reader> {
  const bp = bridgePointOf(membership) ?? user.bridgePointId;
  const [bpUnit] = bp == null ? [] : await q.select({ u: t.bridgePoints.unitId }).from(t.bridgePoints).where(eq(t.bridgePoints.id, bp));
  const unitIds = [user.unitId, bpUnit?.u ?? null].filter((u): u is number => u != null);
  return { role: user.role, unitIds, membership };
}

/** The unit shown for a reader (watermark, QR page): the bridge point's unit they attend, else their own. */
export async function unitNameOf({ q, t }: Store, reader: Reader): Promise<string> {
  const id = reader.unitIds[reader.unitIds.length - 1];
  if (id == null) return '';
  const [u] = await q.select({ n: t.units.name }).from(t.units).where(eq(t.units.id, id));
  return u?.n ?? '';
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
export async function invitees(s: Store, meetingId: number): Promise<Invitee[]> {
  const { units } = s.t;
  const unitNames = new Map((await s.q.select({ id: units.id, n: units.name }).from(units)).map((r) => [r.id, r.n]));
  return (await invitedPeople(s, meetingId)).map(({ user: u, kind, bridgePointId: bp, bridgeUnitId }) => {
    const unitIds = [u.unitId, bridgeUnitId].filter((x): x is number => x != null);
    // A delegate seated at a bridge point reads as that hall; an operator always does.
    const unitName = (bridgeUnitId != null ? unitNames.get(bridgeUnitId) : undefined) ?? (kind === 'delegate' ? unitNames.get(u.unitId ?? -1) : undefined) ?? '';
    const membership: Membership = kind === 'delegate' ? { kind, bridgePointId: bp } : { kind, bridgePointId: bp! };
    return { userId: u.id, fullName: u.fullName, title: u.title, unitName, bridgePointId: bp, reader: { role: u.role as Role, unitIds, membership } };
  });
}

export async function bridgePointNames({ q, t }: Store, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const { bridgePoints } = t;
  return new Map((await q.select({ id: bridgePoints.id, n: bridgePoints.name }).from(bridgePoints).where(inArray(bridgePoints.id, ids))).map((r) => [r.id, r.n]));
}

/** Distinct (document, user) receipts and anonymous counts of a meeting. */
export function receiptRows({ q, t }: Store, meetingId: number) {
  const r = t.documentReceipts;
  return q.select({ documentId: r.documentId, userId: r.userId, bridgePointId: r.bridgePointId }).from(r).where(eq(r.meetingId, meetingId));
}

export function pendingNotifications({ q, t }: Store, userId: number): Promise<DocumentNotification[]> {
  const { documentNotifications: n, documents, meetings } = t;
  return q
    .select({ id: n.id, meetingId: n.meetingId, meetingTitle: meetings.title, documentId: documents.id, title: documents.title, createdAt: n.createdAt })
    .from(n)
    .innerJoin(documents, eq(documents.id, n.documentId))
    .innerJoin(meetings, eq(meetings.id, n.meetingId))
    .where(and(eq(n.userId, userId), isNull(n.seenAt)))
    .orderBy(n.id);
}

/** Marks the user's notifications (those listed, or all) seen. */
export async function markNotificationsSeen({ q, t }: Store, userId: number, ids: number[] | undefined, at: string): Promise<void> {
  const n = t.documentNotifications;
  const mine = eq(n.userId, userId);
  await q.update(n).set({ seenAt: at }).where(and(ids?.length ? and(mine, inArray(n.id, ids)) : mine, isNull(n.seenAt)));
}
