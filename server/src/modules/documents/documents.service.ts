/**
 * Document workflows shared by the web routes and the QR landing page: uploads (received by
 * documents.upload.ts), edits, publishing, streaming downloads with receipts, the confidential page
 * viewer and receipt counts. Reads go through `database.run`; each change is one `database.tx` with
 * its audit entry, and what must not wait inside a transaction (disk, poppler) happens before it.
 */
import { createReadStream } from 'node:fs';
import type { Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { and, eq, inArray } from 'drizzle-orm';
import { DocumentDeclassify, DocumentUpdate, type Classification, type DocumentInfo, type ReceiptChannel, type ReceiptCounts, type Role } from '@diemcau/shared';
import type { Database, Store } from '../../db/database.ts';
import type { Realtime } from '../../plugins/realtime.ts';
import { AppError, badRequest, notFound } from '../../lib/app-error.ts';
import { appendAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { audienceProblem, documentAccess, linkable, lowersClassification, type Access } from './documents.access.ts';
import { planDownload } from './documents.download.ts';
import { PageRenderer } from './documents.render.ts';
import * as repo from './documents.repo.ts';
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
async function sealVersions({ q, t }: Store, docId: number): Promise<void> {
  await q.update(t.documentVersions).set({ confidential: true }).where(eq(t.documentVersions.documentId, docId));
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
export async function assertDocumentsOfMeeting({ q, t }: Store, meetingId: number, ids: readonly number[]): Promise<void> {
  if (!ids.length) return;
  const { documents } = t;
  const own = new Set((await q.select({ id: documents.id }).from(documents).where(and(eq(documents.meetingId, meetingId), inArray(documents.id, [...ids])))).map((r) => r.id));
  const foreign = ids.filter((id) => !own.has(id));
  if (foreign.length) throw badRequest(`Documents ${foreign.join(', ')} do not belong to this meeting`);
}

export class DocumentsService {
  constructor(
    readonly db: Database,
    readonly store: BlobStore,
    readonly renderer: PageRenderer,
    readonly realtime: Realtime,
    readonly maxBytes: number,
    /** Told who was notified of what after a publication commits (the e-mail copy of the notice). */
    readonly onPublished: (meetingId: number, byUser: Map<number, DocumentInfo[]>) => void = () => {},
  ) {}

  /** Creates a document (version 1) or adds a version to `docId`, from an upload request. */
  async upload(req: FastifyRequest, meetingId: number, user: AuthUser, docId?: number): Promise<DocumentInfo> {
    const existing = docId ? await this.db.run((s) => repo.getDoc(s, meetingId, docId)) : null;
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
    // The file is in place before the transaction (which may not await the disk) records it.
    await this.store.commit(u.staged);
    const id = await this.db.tx(async (s) => {
      const { documents, documentVersions } = s.t;
      let id = existing?.doc.id;
      let version = 1;
      if (existing) {
        version = existing.doc.currentVersion + 1;
        await s.q
          .update(documents)
          .set({ currentVersion: version, ...(u.fields.title && { title: u.fields.title }), classification, ...(u.fields.audienceRoles && { audienceRoles: u.fields.audienceRoles }), ...(u.fields.audienceUnitIds && { audienceUnitIds: u.fields.audienceUnitIds }) })
          .where(eq(documents.id, existing.doc.id));
      } else {
        const title = u.fields.title ?? u.fileName.replace(/\.[^.]+$/, '');
        const [row] = await s.q
          .insert(documents)
          .values({ meetingId, title, classification, audienceRoles: u.fields.audienceRoles ?? [], audienceUnitIds: u.fields.audienceUnitIds ?? [], createdBy: user.id })
          .returning({ id: documents.id });
        id = row!.id;
      }
      if (classification === 'confidential') await sealVersions(s, id!);
      await s.q
        .insert(documentVersions)
        .values({ documentId: id!, version, fileName: u.fileName, mime: u.mime, size: u.staged.size, sha256: u.staged.sha256, pages: u.pages, confidential: classification === 'confidential', uploadedBy: user.id });
      await appendAudit(s, { actorUserId: user.id, action: existing ? 'document.version' : 'document.upload', targetType: 'document', targetId: id!, details: { meetingId, version, sha256: u.staged.sha256, size: u.staged.size, classification }, ip: req.ip });
      return id!;
    });
    return this.info(meetingId, id);
  }

  /** Retitles, reclassifies or re-addresses a document, under the same rules as an upload; audited. */
  async update(meetingId: number, docId: number, body: Static<typeof DocumentUpdate>, user: AuthUser, ip: string): Promise<DocumentInfo> {
    const d = await this.db.run((s) => repo.getDoc(s, meetingId, docId));
    const refusal = (body.classification && loweringRefusal(d.doc.classification, body.classification)) || classificationRefusal({
      classification: body.classification ?? d.doc.classification,
      audienceRoles: body.audienceRoles ?? d.doc.audienceRoles,
      audienceUnitIds: body.audienceUnitIds ?? d.doc.audienceUnitIds,
      mime: d.ver.mime,
    });
    if (refusal) throw refusal;
    await this.db.tx(async (s) => {
      await s.q.update(s.t.documents).set(body).where(eq(s.t.documents.id, d.doc.id));
      if (body.classification === 'confidential') await sealVersions(s, d.doc.id);
      await appendAudit(s, { actorUserId: user.id, action: 'document.update', targetType: 'document', targetId: d.doc.id, details: body, ip });
    });
    return this.info(meetingId, d.doc.id);
  }

  /**
   * Lowers a document's classification: the secretariat's explicit, audited act.
   * Versions that were confidential stay sealed (viewer-only); only versions
   * uploaded afterwards can leave by link.
   */
  async declassify(meetingId: number, docId: number, body: Static<typeof DocumentDeclassify>, user: AuthUser, ip: string): Promise<DocumentInfo> {
    const d = await this.db.run((s) => repo.getDoc(s, meetingId, docId));
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
    await this.db.tx(async (s) => {
      await s.q.update(s.t.documents).set(next).where(eq(s.t.documents.id, d.doc.id));
      await appendAudit(s, {
        actorUserId: user.id, action: 'document.declassify', targetType: 'document', targetId: d.doc.id,
        details: { meetingId, from: d.doc.classification, to: body.classification, reason: body.reason.trim() }, ip,
      });
    });
    return this.info(meetingId, d.doc.id);
  }

  /** Attaches a document to (or detaches it from) an agenda item of the same meeting, audited. */
  async attach(meetingId: number, docId: number, body: { agendaItemId: number; attached: boolean }, user: AuthUser, ip: string): Promise<DocumentInfo> {
    const d = await this.db.run((s) => repo.getDoc(s, meetingId, docId));
    await this.db.tx(async (s) => {
      const { agendaItems } = s.t;
      const [item] = await s.q.select().from(agendaItems).where(eq(agendaItems.id, body.agendaItemId));
      if (!item || item.meetingId !== meetingId) throw notFound('Agenda item');
      const ids = item.documentIds.filter((x) => x !== d.doc.id);
      if (body.attached) ids.push(d.doc.id);
      await s.q.update(agendaItems).set({ documentIds: ids }).where(eq(agendaItems.id, item.id));
      await appendAudit(s, { actorUserId: user.id, action: 'document.attach', targetType: 'document', targetId: d.doc.id, details: { meetingId, agendaItemId: item.id, attached: body.attached }, ip });
    });
    return this.info(meetingId, d.doc.id);
  }

  info(meetingId: number, docId: number): Promise<DocumentInfo> {
    return this.db.run((s) => repo.docInfo(s, meetingId, docId));
  }

  /**
   * "Send in advance": publishes drafts, queues a notification for every
   * entitled invitee (shown on next login) and pushes it live to them.
   */
  async publish(meetingId: number, docIds: number[], user: AuthUser): Promise<DocumentInfo[]> {
    // Publishing does not touch agenda links, so one read serves every document.
    const [people, links] = await this.db.run(async (s) => [await repo.invitees(s, meetingId), await repo.agendaLinks(s, meetingId)] as const);
    const done = await this.db.tx(async (s) => {
      const { documents, documentNotifications } = s.t;
      const out: { info: DocumentInfo; userIds: number[]; fresh: number[] }[] = [];
      const at = new Date().toISOString();
      for (const id of docIds) {
        const d = await repo.getDoc(s, meetingId, id);
        if (!d.doc.publishedAt) await s.q.update(documents).set({ publishedAt: at }).where(eq(documents.id, id));
        const facts = { ...repo.accessFacts(d.doc), published: true };
        const userIds = people.filter((p) => documentAccess(facts, p.reader) !== 'none').map((p) => p.userId);
        // `fresh`: people told of this document for the first time (a re-publish does not notify again).
        const fresh: number[] = [];
        for (const userId of userIds) {
          const [row] = await s.q.insert(documentNotifications).values({ userId, meetingId, documentId: id }).onConflictDoNothing().returning({ id: documentNotifications.id });
          if (row) fresh.push(userId);
        }
        await appendAudit(s, { actorUserId: user.id, action: 'document.publish', targetType: 'document', targetId: id, details: { meetingId, notified: userIds.length } });
        out.push({ info: { ...repo.toInfo(d, links), status: 'published', publishedAt: d.doc.publishedAt ?? at }, userIds, fresh });
      }
      return out;
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

  markSeen(userId: number, ids: number[] | undefined): Promise<void> {
    return this.db.run((s) => repo.markNotificationsSeen(s, userId, ids, new Date().toISOString()));
  }

  /** Refuses confidential documents, and versions that ever were, requested by link, with an audit entry. */
  async assertDownloadable(d: repo.DocWithVersion, ver: repo.DocWithVersion['ver'], access: Access, who: { userId: number | null; ip: string; via: string }): Promise<void> {
    if (!linkable(d.doc.classification, ver)) {
      await this.db.tx((s) =>
        appendAudit(s, { actorUserId: who.userId, action: 'document.confidential_link_refused', targetType: 'document', targetId: d.doc.id, details: { meetingId: d.doc.meetingId, version: ver.version, via: who.via }, ip: who.ip }),
      );
      throw new AppError('CONFIDENTIAL', 403, 'Confidential documents cannot be downloaded by link');
    }
    if (access !== 'download') throw new AppError('NOT_FOUND', 404, 'Document not found');
  }

  /**
   * Streams a stored version with Range/ETag support; never buffers the file.
   * A full download, or a range from byte 0, is a receipt pushed to the secretariat.
   */
  async sendFile(req: FastifyRequest, reply: FastifyReply, d: repo.DocWithVersion, ver: repo.DocWithVersion['ver'], who: Recipient): Promise<FastifyReply> {
    const h = req.headers;
    const plan = planDownload(
      { method: req.method, range: h.range, ifRange: h['if-range'] as string | undefined, ifNoneMatch: h['if-none-match'] },
      { size: ver.size, sha256: ver.sha256, mime: ver.mime, fileName: ver.fileName },
    );
    reply.status(plan.status).headers(plan.headers);
    if (!('start' in plan)) return reply.send();
    if (req.method === 'HEAD') return reply.send();
    if (plan.start === 0) await this.recordReceipt(d, ver.version, who);
    return reply.send(createReadStream(this.store.pathFor(ver.sha256), { start: plan.start, end: plan.end }));
  }

  async recordReceipt(d: repo.DocWithVersion, version: number, who: Recipient): Promise<void> {
    const [row] = await this.db.run(({ q, t }) =>
      q
        .insert(t.documentReceipts)
        .values({ meetingId: d.doc.meetingId, documentId: d.doc.id, version, userId: who.userId, bridgePointId: who.bridgePointId, channel: who.channel, tokenJti: who.tokenJti })
        .returning(),
    );
    this.realtime.toManagers(d.doc.meetingId).emit('document:received', {
      meetingId: row!.meetingId, documentId: row!.documentId, version, userId: row!.userId, fullName: who.fullName, bridgePointId: row!.bridgePointId, channel: row!.channel, at: row!.at,
    });
  }

  /** A watermarked page of a document for a signed-in viewer; confidential views are logged. */
  async viewPage(d: repo.DocWithVersion, page: number, width: number, viewer: AuthUser, unitName: string, ip: string): Promise<Buffer> {
    // Rendered before the view is logged: the transaction must not wait on poppler.
    const png = await this.renderer.render(
      { path: this.store.pathFor(d.ver.sha256), mime: d.ver.mime, sha256: d.ver.sha256, pages: d.ver.pages ?? 1 },
      page,
      { userId: viewer.id, name: viewer.fullName, unit: unitName, at: new Date() },
      width,
    );
    if (!linkable(d.doc.classification, d.ver)) {
      await this.db.tx(async (s) => {
        await s.q.insert(s.t.confidentialViews).values({ documentId: d.doc.id, version: d.ver.version, userId: viewer.id, page, ip });
        await appendAudit(s, { actorUserId: viewer.id, action: 'document.confidential_view', targetType: 'document', targetId: d.doc.id, details: { version: d.ver.version, page }, ip });
      });
    }
    return png;
  }

  /** Per document and per bridge point: how many entitled invitees have downloaded it. */
  receiptCounts(meetingId: number): Promise<ReceiptCounts> {
    return this.db.run((s) => receiptCounts(s, meetingId));
  }
}
