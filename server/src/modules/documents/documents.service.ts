/**
 * Document workflows shared by the web routes, the QR landing page and the
 * socket snapshot: uploads (received by documents.upload.ts), visibility, publishing, streaming downloads with
 * receipts, the confidential page viewer and receipt counts.
 */
import { createReadStream } from 'node:fs';
import type { Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { DocumentDeclassify, DocumentUpdate, type Classification, type DocumentInfo, type ReceiptChannel, type ReceiptCounts, type Role } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { writeAudit } from '../../plugins/audit.ts';
import type { Realtime } from '../../plugins/realtime.ts';
import { AppError, badRequest, notFound } from '../../lib/app-error.ts';
import { agendaItems } from '../../db/schema.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { audienceProblem, documentAccess, linkable, lowersClassification, type Access, type Reader } from './documents.access.ts';
import { planDownload } from './documents.download.ts';
import { PageRenderer } from './documents.render.ts';
import * as repo from './documents.repo.ts';
import { confidentialViews, documentNotifications, documentReceipts, documents, documentVersions } from './documents.schema.ts';
import { receiptCounts } from './documents.receipts.ts';
import { receiveUpload } from './documents.upload.ts';
import type { BlobStore } from './documents.storage.ts';

/** Who a download is for: a signed-in user, a delegate's QR or a venue QR. */
export interface Recipient {
  userId: number | null;
  fullName: string | null;
  bridgePointId: number | null;
  channel: ReceiptChannel;
  tokenJti: string | null;
}

/** The refusal of a lower classification on the ordinary paths: declassifying is its own audited act. */
function loweringRefusal(from: Classification, to: Classification): AppError | null {
  return lowersClassification(from, to)
    ? new AppError('DECLASSIFICATION_REQUIRED', 409, `Lowering the classification (${from} → ${to}) needs the declassify action with a reason`, { from, to })
    : null;
}

/** Once a document is confidential, every version it has is sealed (viewer-only) for good. */
function sealVersions(db: Db, docId: number): void {
  db.update(documentVersions).set({ confidential: true }).where(eq(documentVersions.documentId, docId)).run();
}

/** Why a document cannot have this classification (with this file type), or null when it can. */
function classificationRefusal(c: { classification: Classification; audienceRoles: readonly Role[]; audienceUnitIds: readonly number[]; mime: string }): AppError | null {
  const audience = audienceProblem(c.classification, c.audienceRoles, c.audienceUnitIds);
  if (audience) return badRequest(audience);
  if (c.classification === 'confidential' && !PageRenderer.canRender(c.mime)) {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Tài liệu mật phải ở dạng PDF, PNG hoặc JPG để xem có dấu chìm. / Confidential documents must be PDF, PNG or JPEG.');
  }
  return null;
}

/**
 * Refuses agenda links to documents that are not this meeting's (400 naming them).
 * The agenda module calls this before it stores an item's document list.
 */
export function assertDocumentsOfMeeting(db: Db, meetingId: number, ids: readonly number[]): void {
  if (!ids.length) return;
  const own = new Set(db.select({ id: documents.id }).from(documents).where(and(eq(documents.meetingId, meetingId), inArray(documents.id, [...ids]))).all().map((r) => r.id));
  const foreign = ids.filter((id) => !own.has(id));
  if (foreign.length) throw badRequest(`Documents ${foreign.join(', ')} do not belong to this meeting`);
}

export class DocumentsService {
  constructor(
    readonly db: Db,
    readonly store: BlobStore,
    readonly renderer: PageRenderer,
    readonly realtime: Realtime,
    readonly maxBytes: number,
    /** Told who was notified of what after a publication commits (the e-mail copy of the notice). */
    readonly onPublished: (meetingId: number, byUser: Map<number, DocumentInfo[]>) => void = () => {},
  ) {}

  /** Creates a document (version 1) or adds a version to `docId`, from an upload request. */
  async upload(req: FastifyRequest, meetingId: number, user: AuthUser, docId?: number): Promise<DocumentInfo> {
    const existing = docId ? repo.getDoc(this.db, meetingId, docId) : null;
    const u = await receiveUpload(req, this.store, this.maxBytes);
    const classification = u.fields.classification ?? existing?.doc.classification ?? 'public_to_meeting';
    const refusal = (existing && loweringRefusal(existing.doc.classification, classification)) || classificationRefusal({
      classification,
      audienceRoles: u.fields.audienceRoles ?? existing?.doc.audienceRoles ?? [],
      audienceUnitIds: u.fields.audienceUnitIds ?? existing?.doc.audienceUnitIds ?? [],
      mime: u.mime,
    });
    if (refusal) {
      await this.store.discard(u.staged);
      throw refusal;
    }
    await this.store.commit(u.staged);
    const id = this.db.transaction((tx) => {
      let id = existing?.doc.id;
      let version = 1;
      if (existing) {
        version = existing.doc.currentVersion + 1;
        tx.update(documents)
          .set({ currentVersion: version, ...(u.fields.title && { title: u.fields.title }), classification, ...(u.fields.audienceRoles && { audienceRoles: u.fields.audienceRoles }), ...(u.fields.audienceUnitIds && { audienceUnitIds: u.fields.audienceUnitIds }) })
          .where(eq(documents.id, existing.doc.id))
          .run();
      } else {
        const title = u.fields.title ?? u.fileName.replace(/\.[^.]+$/, '');
        id = tx
          .insert(documents)
          .values({ meetingId, title, classification, audienceRoles: u.fields.audienceRoles ?? [], audienceUnitIds: u.fields.audienceUnitIds ?? [], createdBy: user.id })
          .returning({ id: documents.id })
          .get().id;
      }
      if (classification === 'confidential') sealVersions(tx as unknown as Db, id!);
      tx.insert(documentVersions)
        .values({ documentId: id!, version, fileName: u.fileName, mime: u.mime, size: u.staged.size, sha256: u.staged.sha256, pages: u.pages, confidential: classification === 'confidential', uploadedBy: user.id })
        .run();
      writeAudit(tx as unknown as Db, { actorUserId: user.id, action: existing ? 'document.version' : 'document.upload', targetType: 'document', targetId: id!, details: { meetingId, version, sha256: u.staged.sha256, size: u.staged.size, classification }, ip: req.ip });
      return id!;
    });
    return this.info(meetingId, id);
  }

  /** Retitles, reclassifies or re-addresses a document, under the same rules as an upload. */
  update(meetingId: number, docId: number, body: Static<typeof DocumentUpdate>): DocumentInfo {
    const d = repo.getDoc(this.db, meetingId, docId);
    const refusal = (body.classification && loweringRefusal(d.doc.classification, body.classification)) || classificationRefusal({
      classification: body.classification ?? d.doc.classification,
      audienceRoles: body.audienceRoles ?? d.doc.audienceRoles,
      audienceUnitIds: body.audienceUnitIds ?? d.doc.audienceUnitIds,
      mime: d.ver.mime,
    });
    if (refusal) throw refusal;
    this.db.transaction((tx) => {
      tx.update(documents).set(body).where(eq(documents.id, d.doc.id)).run();
      if (body.classification === 'confidential') sealVersions(tx as unknown as Db, d.doc.id);
    });
    return this.info(meetingId, d.doc.id);
  }

  /**
   * Lowers a document's classification: the secretariat's explicit, audited act.
   * Versions that were confidential stay sealed (viewer-only); only versions
   * uploaded afterwards can leave by link.
   */
  declassify(meetingId: number, docId: number, body: Static<typeof DocumentDeclassify>, user: AuthUser, ip: string): DocumentInfo {
    const d = repo.getDoc(this.db, meetingId, docId);
    if (!lowersClassification(d.doc.classification, body.classification)) {
      throw badRequest(`Declassifying must lower the classification (now ${d.doc.classification})`);
    }
    const next = {
      classification: body.classification,
      audienceRoles: body.audienceRoles ?? d.doc.audienceRoles,
      audienceUnitIds: body.audienceUnitIds ?? d.doc.audienceUnitIds,
    };
    const refusal = classificationRefusal({ ...next, mime: d.ver.mime });
    if (refusal) throw refusal;
    this.db.transaction((tx) => {
      tx.update(documents).set(next).where(eq(documents.id, d.doc.id)).run();
      writeAudit(tx as unknown as Db, {
        actorUserId: user.id, action: 'document.declassify', targetType: 'document', targetId: d.doc.id,
        details: { meetingId, from: d.doc.classification, to: body.classification, reason: body.reason.trim() }, ip,
      });
    });
    return this.info(meetingId, d.doc.id);
  }

  /** Attaches a document to (or detaches it from) an agenda item of the same meeting, audited. */
  attach(meetingId: number, docId: number, body: { agendaItemId: number; attached: boolean }, user: AuthUser, ip: string): DocumentInfo {
    const d = repo.getDoc(this.db, meetingId, docId);
    this.db.transaction((tx) => {
      const item = tx.select().from(agendaItems).where(eq(agendaItems.id, body.agendaItemId)).get();
      if (!item || item.meetingId !== meetingId) throw notFound('Agenda item');
      const ids = item.documentIds.filter((x) => x !== d.doc.id);
      if (body.attached) ids.push(d.doc.id);
      tx.update(agendaItems).set({ documentIds: ids }).where(eq(agendaItems.id, item.id)).run();
      writeAudit(tx as unknown as Db, { actorUserId: user.id, action: 'document.attach', targetType: 'document', targetId: d.doc.id, details: { meetingId, agendaItemId: item.id, attached: body.attached }, ip });
    });
    return this.info(meetingId, d.doc.id);
  }

  info(meetingId: number, docId: number): DocumentInfo {
    return repo.toInfo(repo.getDoc(this.db, meetingId, docId), repo.agendaLinks(this.db, meetingId));
  }

  /** Documents of the meeting the reader may see, with what they may do. */
  visible(meetingId: number, reader: Reader): { info: DocumentInfo; access: Access }[] {
    const links = repo.agendaLinks(this.db, meetingId);
    return repo
      .listDocs(this.db, meetingId)
      .map((d) => ({ info: repo.toInfo(d, links), access: documentAccess(repo.accessFacts(d.doc), reader) }))
      .filter((d) => d.access !== 'none');
  }

  /**
   * "Send in advance": publishes drafts, queues a notification for every
   * entitled invitee (shown on next login) and pushes it live to them.
   */
  publish(meetingId: number, docIds: number[], user: AuthUser): DocumentInfo[] {
    const people = repo.invitees(this.db, meetingId);
    // Publishing does not touch agenda links, so one read serves every document.
    const links = repo.agendaLinks(this.db, meetingId);
    const done: { info: DocumentInfo; userIds: number[]; fresh: number[] }[] = [];
    this.db.transaction((tx) => {
      const at = new Date().toISOString();
      for (const id of docIds) {
        const d = repo.getDoc(tx as unknown as Db, meetingId, id);
        if (!d.doc.publishedAt) tx.update(documents).set({ publishedAt: at }).where(eq(documents.id, id)).run();
        const facts = { ...repo.accessFacts(d.doc), published: true };
        const userIds = people.filter((p) => documentAccess(facts, p.reader) !== 'none').map((p) => p.userId);
        // `fresh`: people told of this document for the first time (a re-publish does not notify again).
        const fresh = userIds.filter((userId) => tx.insert(documentNotifications).values({ userId, meetingId, documentId: id }).onConflictDoNothing().returning({ id: documentNotifications.id }).get());
        writeAudit(tx as unknown as Db, { actorUserId: user.id, action: 'document.publish', targetType: 'document', targetId: id, details: { meetingId, notified: userIds.length } });
        done.push({ info: { ...repo.toInfo(d, links), status: 'published', publishedAt: d.doc.publishedAt ?? at }, userIds, fresh });
      }
    });
    const byUser = new Map<number, DocumentInfo[]>();
    const out = done.map(({ info: document, userIds, fresh }) => {
      for (const uid of new Set(userIds)) this.realtime.toUser(uid).emit('document:published', { meetingId, document });
      for (const uid of fresh) byUser.set(uid, [...(byUser.get(uid) ?? []), document]);
      this.realtime.toManagers(meetingId).emit('document:published', { meetingId, document });
      return document;
    });
    this.onPublished(meetingId, byUser);
    return out;
  }

  markSeen(userId: number, ids: number[] | undefined): void {
    const where = ids?.length ? and(eq(documentNotifications.userId, userId), inArray(documentNotifications.id, ids)) : eq(documentNotifications.userId, userId);
    this.db.update(documentNotifications).set({ seenAt: new Date().toISOString() }).where(and(where, isNull(documentNotifications.seenAt))).run();
  }

  /** Refuses confidential documents, and versions that ever were, requested by link, with an audit entry. */
  assertDownloadable(d: repo.DocWithVersion, ver: repo.DocWithVersion['ver'], access: Access, who: { userId: number | null; ip: string; via: string }): void {
    if (!linkable(d.doc.classification, ver)) {
      writeAudit(this.db, { actorUserId: who.userId, action: 'document.confidential_link_refused', targetType: 'document', targetId: d.doc.id, details: { meetingId: d.doc.meetingId, version: ver.version, via: who.via }, ip: who.ip });
      throw new AppError('CONFIDENTIAL', 403, 'Confidential documents cannot be downloaded by link');
    }
    if (access !== 'download') throw new AppError('NOT_FOUND', 404, 'Document not found');
  }

  /**
   * Streams a stored version with Range/ETag support; never buffers the file.
   * A full download, or a range from byte 0, is a receipt pushed to the secretariat.
   */
  sendFile(req: FastifyRequest, reply: FastifyReply, d: repo.DocWithVersion, ver: repo.DocWithVersion['ver'], who: Recipient): FastifyReply {
    const h = req.headers;
    const plan = planDownload(
      { method: req.method, range: h.range, ifRange: h['if-range'] as string | undefined, ifNoneMatch: h['if-none-match'] },
      { size: ver.size, sha256: ver.sha256, mime: ver.mime, fileName: ver.fileName },
    );
    reply.status(plan.status).headers(plan.headers);
    if (!('start' in plan)) return reply.send();
    if (req.method === 'HEAD') return reply.send();
    if (plan.start === 0) this.recordReceipt(d, ver.version, who);
    return reply.send(createReadStream(this.store.pathFor(ver.sha256), { start: plan.start, end: plan.end }));
  }

  recordReceipt(d: repo.DocWithVersion, version: number, who: Recipient): void {
    const row = this.db
      .insert(documentReceipts)
      .values({ meetingId: d.doc.meetingId, documentId: d.doc.id, version, userId: who.userId, bridgePointId: who.bridgePointId, channel: who.channel, tokenJti: who.tokenJti })
      .returning()
      .get();
    this.realtime.toManagers(d.doc.meetingId).emit('document:received', {
      meetingId: row.meetingId, documentId: row.documentId, version, userId: row.userId, fullName: who.fullName, bridgePointId: row.bridgePointId, channel: row.channel, at: row.at,
    });
  }

  /** A watermarked page of a document for a signed-in viewer; confidential views are logged. */
  async viewPage(d: repo.DocWithVersion, page: number, width: number, viewer: AuthUser, unitName: string, ip: string): Promise<Buffer> {
    const png = await this.renderer.render(
      { path: this.store.pathFor(d.ver.sha256), mime: d.ver.mime, sha256: d.ver.sha256, pages: d.ver.pages ?? 1 },
      page,
      { userId: viewer.id, name: viewer.fullName, unit: unitName, at: new Date() },
      width,
    );
    if (!linkable(d.doc.classification, d.ver)) {
      this.db.insert(confidentialViews).values({ documentId: d.doc.id, version: d.ver.version, userId: viewer.id, page, ip }).run();
      writeAudit(this.db, { actorUserId: viewer.id, action: 'document.confidential_view', targetType: 'document', targetId: d.doc.id, details: { version: d.ver.version, page }, ip });
    }
    return png;
  }

  /** Per document and per bridge point: how many entitled invitees have downloaded it. */
  receiptCounts(meetingId: number): ReceiptCounts {
    return receiptCounts(this.db, meetingId);
  }
}
