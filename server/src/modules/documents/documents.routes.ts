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
import type { Store } from '../../db/database.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import { inScope, type AuthUser } from '../auth/auth.service.ts';
import { assertNotEnded, bridgePointOf } from '../meetings/meetings.access.ts';
import { assertMember, getManagedMeeting, getMeetingOr404 } from '../meetings/meetings.access.ts';
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

/** The meeting and the caller's membership; managers only when `manage`; `edit` also refuses an ended meeting. */
async function context(s: Store, meetingId: number, user: AuthUser, manage: boolean | 'edit') {
  const meeting = manage ? await getManagedMeeting(s, user, meetingId) : await getMeetingOr404(s, meetingId);
  if (manage === 'edit') assertNotEnded(meeting);
  const membership = await assertMember(s, user, meeting);
  return { meeting, membership, reader: await repo.readerOf(s, user, membership) };
}

const documentsModule: FastifyPluginAsyncTypebox<{ config: Config; now?: () => Date }> = async (app, { config, now }) => {
  const { database } = app;
  const store = await BlobStore.create(join(config.dataDir, 'files'));
  // The e-mail copy of the publish notice goes through the reminders service (it owns the mail texts).
  const mailPublished = (meetingId: number, byUser: Map<number, DocumentInfo[]>) =>
    void database
      .run((s) => getMeetingOr404(s, meetingId))
      .then((meeting) => app.reminders.documentsPublished(meeting, byUser))
      .catch((err: unknown) => app.log.error({ err }, 'publish notice mail failed'));
  const svc = new DocumentsService(database, store, PageRenderer.create(), app.realtime, config.uploadMaxBytes, mailPublished);
  const qr = new QrService(database, { secret: config.secret, publicBaseUrl: config.publicBaseUrl, graceHours: config.qrGraceHours, ...(now && { now }) });
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });

  app.realtime.snapshotPart('documents', (meetingId, user, membership) =>
    database.run(async (s) => ({ documents: (await repo.visibleDocs(s, meetingId, await repo.readerOf(s, user, membership))).map((d) => d.info) })),
  );

  const ctx = (meetingId: number, user: AuthUser, manage: boolean | 'edit' = false) => database.run((s) => context(s, meetingId, user, manage));
  /** A document the caller may see (404 otherwise, so hidden documents do not leak). */
  const visibleDoc = (meetingId: number, docId: number, user: AuthUser) =>
    database.run(async (s) => {
      const c = await context(s, meetingId, user, false);
      const d = await repo.getDoc(s, meetingId, docId);
      const access = documentAccess(repo.accessFacts(d.doc), c.reader);
      if (access === 'none' && d.doc.classification !== 'confidential') throw notFound('Document');
      return { ...c, d, access };
    });
  /** A stored version of a document the caller has already been allowed to see. */
  const versionOf = async (d: repo.DocWithVersion, version: number | undefined) => (version ? database.run((s) => repo.getVersion(s, d.doc.id, version)) : d.ver);

  const apiRoutes: FastifyPluginAsyncTypebox = async (api) => {
    const anyone = api.requireUser();
    const managers = api.requireUser('admin', 'secretariat');

    api.get('/meetings/:id/documents', { onRequest: anyone, schema: { tags, params: IdParam, response: { 200: Type.Array(DocumentInfo), ...errors } } }, (req) =>
      database.run(async (s) => {
        const { reader } = await context(s, req.params.id, req.user!, false);
        return (await repo.visibleDocs(s, req.params.id, reader)).map((d) => d.info);
      }),
    );

    api.post('/meetings/:id/documents', { onRequest: managers, schema: { tags, params: IdParam, response: { 201: DocumentInfo, ...errors } } }, async (req, reply) => {
      await ctx(req.params.id, req.user!, 'edit');
      return reply.status(201).send(await svc.upload(req, req.params.id, req.user!));
    });

    api.post('/meetings/:id/documents/:docId/versions', { onRequest: managers, schema: { tags, params: DocumentParams, response: { 201: DocumentInfo, ...errors } } }, async (req, reply) => {
      await ctx(req.params.id, req.user!, 'edit');
      return reply.status(201).send(await svc.upload(req, req.params.id, req.user!, req.params.docId));
    });

    api.get('/meetings/:id/documents/receipts', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: ReceiptCounts, ...errors } } }, async (req) => {
      await ctx(req.params.id, req.user!, true);
      return svc.receiptCounts(req.params.id);
    });

    api.post(
      '/meetings/:id/documents/publish',
      { onRequest: managers, schema: { tags, params: IdParam, body: Type.Optional(Type.Object({ documentIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })) }, { additionalProperties: false })), response: { 200: Type.Array(DocumentInfo), ...errors } } },
      async (req) => {
        await ctx(req.params.id, req.user!, true);
        const ids = req.body?.documentIds ?? (await database.run((s) => repo.listDocs(s, req.params.id))).filter((d) => !d.doc.publishedAt).map((d) => d.doc.id);
        return svc.publish(req.params.id, ids, req.user!);
      },
    );

    api.get('/meetings/:id/documents/:docId', { onRequest: anyone, schema: { tags, params: DocumentParams, response: { 200: DocumentDetail, ...errors } } }, async (req) => {
      const { d, access } = await visibleDoc(req.params.id, req.params.docId, req.user!);
      // visibleDoc lets a hidden confidential document through (its pages answer 403); its details stay hidden.
      if (access === 'none') throw notFound('Document');
      return database.run(async (s) => ({ document: repo.toInfo(d, await repo.agendaLinks(s, req.params.id)), versions: await repo.listVersions(s, d.doc) }));
    });

    api.patch('/meetings/:id/documents/:docId', { onRequest: managers, schema: { tags, params: DocumentParams, body: DocumentUpdate, response: { 200: DocumentInfo, ...errors } } }, async (req) => {
      await ctx(req.params.id, req.user!, 'edit');
      return svc.update(req.params.id, req.params.docId, req.body, req.user!, req.ip);
    });

    // Lowering a classification is never a side effect of an edit: its own route, a required reason, an audit entry.
    // Allowed after the meeting ended: declassifying the record is usually done later.
    api.post('/meetings/:id/documents/:docId/declassify', { onRequest: managers, schema: { tags, params: DocumentParams, body: DocumentDeclassify, response: { 200: DocumentInfo, ...errors } } }, async (req) => {
      await ctx(req.params.id, req.user!, true);
      return svc.declassify(req.params.id, req.params.docId, req.body, req.user!, req.ip);
    });

    api.post('/meetings/:id/documents/:docId/publish', { onRequest: managers, schema: { tags, params: DocumentParams, response: { 200: DocumentInfo, ...errors } } }, async (req) => {
      await ctx(req.params.id, req.user!, true);
      return (await svc.publish(req.params.id, [req.params.docId], req.user!))[0]!;
    });

    api.post('/meetings/:id/documents/:docId/agenda', { onRequest: managers, schema: { tags, params: DocumentParams, body: DocumentAttach, response: { 200: DocumentInfo, ...errors } } }, async (req) => {
      await ctx(req.params.id, req.user!, 'edit');
      return svc.attach(req.params.id, req.params.docId, req.body, req.user!, req.ip);
    });

    api.get(
      '/meetings/:id/documents/:docId/download',
      { onRequest: anyone, schema: { tags, params: DocumentParams, querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })), lang: Type.Optional(Type.String({ maxLength: 5 })) }) } },
      (req, reply) =>
        withErrorPages(req, reply, false, async () => {
          const { d, access, membership } = await visibleDoc(req.params.id, req.params.docId, req.user!);
          const ver = await versionOf(d, req.query.version);
          await svc.assertDownloadable(d, ver, access, { userId: req.user!.id, ip: req.ip, via: 'web' });
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
        const seen = await visibleDoc(req.params.id, req.params.docId, req.user!);
        const { access, reader } = seen;
        // Earlier versions (sealed confidential ones included) stay readable here, as watermarked pages.
        const d = { ...seen.d, ver: await versionOf(seen.d, req.query.version) };
        if (access === 'none') throw new AppError('FORBIDDEN', 403, 'You may not view this document');
        // A QR code is a link: what it opens must not reach confidential pages (mật). Sign in with the password.
        if (req.user!.scope && !linkable(d.doc.classification, d.ver)) {
          const jti = req.user!.scope.qrJti;
          await database.tx((s) => appendAudit(s, requestAudit(req, 'document.confidential_denied', 'document', d.doc.id, { via: 'qr_session', jti })));
          throw new AppError('CONFIDENTIAL', 403, 'Confidential documents need a password sign-in, not a QR code');
        }
        const png = await svc.viewPage(d, req.params.page, req.query.width ?? DEFAULT_WIDTH, req.user!, await database.run((s) => repo.unitNameOf(s, reader)), req.ip);
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
    const myNotifications = async (user: AuthUser) => (await database.run((s) => repo.pendingNotifications(s, user.id))).filter((n) => inScope(user, n.meetingId));
    api.get('/documents/notifications', { onRequest: anyone, schema: { tags, response: { 200: Type.Array(DocumentNotification), ...errors } } }, (req) => myNotifications(req.user!));
    api.post(
      '/documents/notifications/seen',
      { onRequest: anyone, schema: { tags, body: Type.Optional(Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })) }, { additionalProperties: false })), response: { 200: Ok, ...errors } } },
      async (req) => {
        const user = req.user!;
        if (user.scope) {
          const mine = new Set((await myNotifications(user)).map((n) => n.id));
          const ids = (req.body?.ids ?? [...mine]).filter((id) => mine.has(id));
          if (ids.length) await svc.markSeen(user.id, ids);
        } else await svc.markSeen(user.id, req.body?.ids);
        return { ok: true as const };
      },
    );
  };
  await app.register(apiRoutes, { prefix: '/api' });

  await app.register(qrRoutes, { svc, qr, cookieSecure: config.cookieSecure });
};

export default documentsModule;
