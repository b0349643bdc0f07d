/**
 * Meeting materials over HTTP (under /api), plus the QR routes and the
 * `documents` part of the meeting:join snapshot. Registered once at the root:
 * it owns the multipart parser and the public /q/ pages.
 */
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  DocumentAttach, DocumentDeclassify, DocumentDetail, DocumentInfo, DocumentNotification, DocumentParams, DocumentUpdate, ErrorResponse, IdParam, Ok, ReceiptCounts,
} from '@diemcau/shared';
import type { Config } from '../../config.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { inScope, type AuthUser } from '../auth/auth.service.ts';
import { assertMember, assertNotEnded, bridgePointOf, getManagedMeeting, getMeetingOr404, membershipOf } from '../meetings/meetings.access.ts';
import { qrRoutes } from '../qr/qr.routes.ts';
import { QrService } from '../qr/qr.service.ts';
import { withErrorPages } from '../qr/qr.respond.ts';
import { documentAccess, linkable } from './documents.access.ts';
import { DEFAULT_WIDTH, PageRenderer } from './documents.render.ts';
import * as repo from './documents.repo.ts';
import { DocumentsService } from './documents.service.ts';
import { BlobStore } from './documents.storage.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse };
const tags = ['documents'];

const documentsModule: FastifyPluginAsyncTypebox<{ config: Config; now?: () => Date }> = async (app, { config, now }) => {
  const { db } = app;
  const store = await BlobStore.create(join(config.dataDir, 'files'));
  // The e-mail copy of the publish notice goes through the reminders service (it owns the mail texts).
  const mailPublished = (meetingId: number, byUser: Map<number, DocumentInfo[]>) =>
    void app.reminders.documentsPublished(getMeetingOr404(db, meetingId), byUser).catch((err: unknown) => app.log.error({ err }, 'publish notice mail failed'));
  const svc = new DocumentsService(db, store, PageRenderer.create(), app.realtime, config.uploadMaxBytes, mailPublished);
  const qr = new QrService(db, { secret: config.secret, publicBaseUrl: config.publicBaseUrl, graceHours: config.qrGraceHours, ...(now && { now }) });
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });

  app.realtime.snapshotPart('documents', (meetingId, user, membership) => ({
    documents: svc.visible(meetingId, repo.readerOf(db, user, membership)).map((d) => d.info),
  }));

  /** The meeting and the caller's membership; managers only when `manage`; `edit` also refuses an ended meeting. */
  const ctx = (meetingId: number, user: AuthUser, manage: boolean | 'edit' = false) => {
    const meeting = manage ? getManagedMeeting(db, user, meetingId) : getMeetingOr404(db, meetingId);
    if (manage === 'edit') assertNotEnded(meeting);
    const membership = assertMember(db, user, meeting);
    return { meeting, membership, reader: repo.readerOf(db, user, membership) };
  };
  /** A document the caller may see (404 otherwise, so hidden documents do not leak). */
  const visibleDoc = (meetingId: number, docId: number, user: AuthUser) => {
    const c = ctx(meetingId, user);
    const d = repo.getDoc(db, meetingId, docId);
    const access = documentAccess(repo.accessFacts(d.doc), c.reader);
    if (access === 'none' && d.doc.classification !== 'confidential') throw notFound('Document');
    return { ...c, d, access };
  };

  const apiRoutes: FastifyPluginAsyncTypebox = async (api) => {
    const anyone = api.requireUser();
    const managers = api.requireUser('admin', 'secretariat');

    api.get('/meetings/:id/documents', { onRequest: anyone, schema: { tags, params: IdParam, response: { 200: Type.Array(DocumentInfo), ...errors } } }, (req) =>
      svc.visible(req.params.id, ctx(req.params.id, req.user!).reader).map((d) => d.info),
    );

    api.post('/meetings/:id/documents', { onRequest: managers, schema: { tags, params: IdParam, response: { 201: DocumentInfo, ...errors } } }, async (req, reply) => {
      ctx(req.params.id, req.user!, 'edit');
      return reply.status(201).send(await svc.upload(req, req.params.id, req.user!));
    });

    api.post('/meetings/:id/documents/:docId/versions', { onRequest: managers, schema: { tags, params: DocumentParams, response: { 201: DocumentInfo, ...errors } } }, async (req, reply) => {
      ctx(req.params.id, req.user!, 'edit');
      return reply.status(201).send(await svc.upload(req, req.params.id, req.user!, req.params.docId));
    });

    api.get('/meetings/:id/documents/receipts', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: ReceiptCounts, ...errors } } }, (req) => {
      ctx(req.params.id, req.user!, true);
      return svc.receiptCounts(req.params.id);
    });

    api.post(
      '/meetings/:id/documents/publish',
      { onRequest: managers, schema: { tags, params: IdParam, body: Type.Optional(Type.Object({ documentIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })) }, { additionalProperties: false })), response: { 200: Type.Array(DocumentInfo), ...errors } } },
      (req) => {
        ctx(req.params.id, req.user!, true);
        const ids = req.body?.documentIds ?? repo.listDocs(db, req.params.id).filter((d) => !d.doc.publishedAt).map((d) => d.doc.id);
        return svc.publish(req.params.id, ids, req.user!);
      },
    );

    api.get('/meetings/:id/documents/:docId', { onRequest: anyone, schema: { tags, params: DocumentParams, response: { 200: DocumentDetail, ...errors } } }, (req) => {
      const { d, access } = visibleDoc(req.params.id, req.params.docId, req.user!);
      // visibleDoc lets a hidden confidential document through (its pages answer 403); its details stay hidden.
      if (access === 'none') throw notFound('Document');
      return { document: repo.toInfo(d, repo.agendaLinks(db, req.params.id)), versions: repo.listVersions(db, d.doc) };
    });

    api.patch('/meetings/:id/documents/:docId', { onRequest: managers, schema: { tags, params: DocumentParams, body: DocumentUpdate, response: { 200: DocumentInfo, ...errors } } }, (req) => {
      ctx(req.params.id, req.user!, 'edit');
      const info = svc.update(req.params.id, req.params.docId, req.body);
      req.audit('document.update', 'document', info.id, req.body);
      return info;
    });

    // Lowering a classification is never a side effect of an edit: its own route, a required reason, an audit entry.
    // Allowed after the meeting ended: declassifying the record is usually done later.
    api.post('/meetings/:id/documents/:docId/declassify', { onRequest: managers, schema: { tags, params: DocumentParams, body: DocumentDeclassify, response: { 200: DocumentInfo, ...errors } } }, (req) => {
      ctx(req.params.id, req.user!, true);
      return svc.declassify(req.params.id, req.params.docId, req.body, req.user!, req.ip);
    });

    api.post('/meetings/:id/documents/:docId/publish', { onRequest: managers, schema: { tags, params: DocumentParams, response: { 200: DocumentInfo, ...errors } } }, (req) => {
      ctx(req.params.id, req.user!, true);
      return svc.publish(req.params.id, [req.params.docId], req.user!)[0]!;
    });

    api.post('/meetings/:id/documents/:docId/agenda', { onRequest: managers, schema: { tags, params: DocumentParams, body: DocumentAttach, response: { 200: DocumentInfo, ...errors } } }, (req) => {
      ctx(req.params.id, req.user!, 'edit');
      return svc.attach(req.params.id, req.params.docId, req.body, req.user!, req.ip);
    });

    api.get(
      '/meetings/:id/documents/:docId/download',
      { onRequest: anyone, schema: { tags, params: DocumentParams, querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })), lang: Type.Optional(Type.String({ maxLength: 5 })) }) } },
      (req, reply) =>
        withErrorPages(req, reply, false, () => {
          const { d, access, membership } = visibleDoc(req.params.id, req.params.docId, req.user!);
          const ver = req.query.version ? repo.getVersion(db, d.doc.id, req.query.version) : d.ver;
          svc.assertDownloadable(d, ver, access, { userId: req.user!.id, ip: req.ip, via: 'web' });
          return svc.sendFile(req, reply, d, ver, { userId: req.user!.id, fullName: req.user!.fullName, bridgePointId: bridgePointOf(membership), channel: 'web', tokenJti: null });
        }),
    );

    api.get(
      '/meetings/:id/documents/:docId/pages/:page',
      {
        onRequest: anyone,
        schema: { tags, params: Type.Object({ id: Type.Integer({ minimum: 1 }), docId: Type.Integer({ minimum: 1 }), page: Type.Integer({ minimum: 1, maximum: 100000 }) }), querystring: Type.Object({ width: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), version: Type.Optional(Type.Integer({ minimum: 1 })) }) },
      },
      async (req, reply) => {
        const seen = visibleDoc(req.params.id, req.params.docId, req.user!);
        const { access, membership } = seen;
        // Earlier versions (sealed confidential ones included) stay readable here, as watermarked pages.
        const d = req.query.version ? { ...seen.d, ver: repo.getVersion(db, seen.d.doc.id, req.query.version) } : seen.d;
        if (access === 'none') throw new AppError('FORBIDDEN', 403, 'You may not view this document');
        // A QR code is a link: what it opens must not reach confidential pages (mật). Sign in with the password.
        if (req.user!.scope && !linkable(d.doc.classification, d.ver)) {
          req.audit('document.confidential_denied', 'document', d.doc.id, { via: 'qr_session', jti: req.user!.scope.qrJti });
          throw new AppError('CONFIDENTIAL', 403, 'Confidential documents need a password sign-in, not a QR code');
        }
        const png = await svc.viewPage(d, req.params.page, req.query.width ?? DEFAULT_WIDTH, req.user!, repo.unitNameOf(db, repo.readerOf(db, req.user!, membership)), req.ip);
        // Inline image only; nothing may keep a copy of a watermarked page.
        return reply
          .header('cache-control', 'no-store, private')
          .header('content-disposition', 'inline')
          .header('x-content-type-options', 'nosniff')
          .type('image/png')
          .send(png);
      },
    );

    // A QR session is confined to its meeting: it neither sees nor clears the delegate's other meetings' notices.
    const myNotifications = (user: AuthUser) => repo.pendingNotifications(db, user.id).filter((n) => inScope(user, n.meetingId));
    api.get('/documents/notifications', { onRequest: anyone, schema: { tags, response: { 200: Type.Array(DocumentNotification), ...errors } } }, (req) => myNotifications(req.user!));
    api.post(
      '/documents/notifications/seen',
      { onRequest: anyone, schema: { tags, body: Type.Optional(Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })) }, { additionalProperties: false })), response: { 200: Ok, ...errors } } },
      (req) => {
        const user = req.user!;
        if (user.scope) {
          const mine = new Set(myNotifications(user).map((n) => n.id));
          const ids = (req.body?.ids ?? [...mine]).filter((id) => mine.has(id));
          if (ids.length) svc.markSeen(user.id, ids);
        } else svc.markSeen(user.id, req.body?.ids);
        return { ok: true as const };
      },
    );
  };
  await app.register(apiRoutes, { prefix: '/api' });

  await app.register(qrRoutes, { svc, qr, cookieSecure: config.cookieSecure, membershipOf: (user: AuthUser, meetingId: number) => membershipOf(db, user, getMeetingOr404(db, meetingId)) });
};

export default documentsModule;
