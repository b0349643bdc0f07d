/**
 * QR distribution: token management and the print sheet for the secretariat
 * (/api/meetings/:id/qr...), and the public landing page a phone opens after
 * scanning (/q/:token), whose signed token is the only credential.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import formbody from '@fastify/formbody';
import { eq } from 'drizzle-orm';
import { ErrorResponse, IdParam, MeetingMemberParams, QrTokenInfo, QrTokenParams, QrVenueCreate } from '@diemcau/shared';
import { bridgePoints, meetingBridgePoints } from '../../db/schema.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { assertNotEnded, bridgePointOf, getManagedMeeting, getMeetingOr404, meetingPlace, type Membership } from '../meetings/meetings.access.ts';
import { documentAccess, linkable, venueAccess } from '../documents/documents.access.ts';
import * as repo from '../documents/documents.repo.ts';
import type { DocumentsService } from '../documents/documents.service.ts';
import { qrPng, qrSvg } from './qr.image.ts';
import { landingPage, pickLang, printSheet } from './qr.pages.ts';
import { withErrorPages } from './qr.respond.ts';
import { listAgenda } from '../agenda/agenda.repo.ts';
import type { QrService } from './qr.service.ts';
import { qrFailureStatus } from './qr.token.ts';
import { setSessionCookie } from '../../plugins/auth.ts';

export interface QrRoutesOptions {
  svc: DocumentsService;
  qr: QrService;
  membershipOf: (user: AuthUser, meetingId: number) => Membership | null;
  /** Whether session cookies get the Secure flag (HTTPS deployments). */
  cookieSecure: boolean;
}

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const tags = ['qr'];
const TokenParam = Type.Object({ token: Type.String({ maxLength: 300 }) });
const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 5 })) });

export const qrRoutes: FastifyPluginAsyncTypebox<QrRoutesOptions> = async (app, { svc, qr, membershipOf, cookieSecure }) => {
  const { db } = app;
  // The landing page's "enter the meeting" button is a plain HTML form (no scripts on that page).
  await app.register(formbody, { bodyLimit: 1024 });

  /** Verifies a token and resolves what its holder may download; throws typed 401/403 errors. */
  const holder = async (token: string, meetingId?: number) => {
    const v = qr.verify(token, meetingId);
    if (!v.ok) {
      const { status, code } = qrFailureStatus(v.reason);
      throw new AppError(code, status, `QR token ${v.reason}`, { reason: v.reason });
    }
    const { claims } = v;
    const meeting = getMeetingOr404(db, claims.meetingId);
    if (claims.kind === 'venue') {
      const bp = claims.subjectId ? db.select().from(bridgePoints).where(eq(bridgePoints.id, claims.subjectId)).get() : undefined;
      return { claims, meeting, user: null, membership: null, bridgePointId: bp?.id ?? null, label: bp?.name ?? meeting.title, access: (d: repo.DocWithVersion) => venueAccess(repo.accessFacts(d.doc)) };
    }
    const user = await app.database.run((s) => app.auth.loadUser(s, claims.subjectId));
    const membership = user && membershipOf(user, meeting.id);
    // A delegate no longer invited (or deactivated) loses the link with the invitation.
    if (!user?.active || !membership) throw new AppError('TOKEN_REVOKED', 403, 'The invitation behind this QR code was withdrawn');
    const reader = repo.readerOf(db, user, membership);
    const bridgePointId = bridgePointOf(membership);
    const unit = repo.unitNameOf(db, reader);
    return { claims, meeting, user, membership, bridgePointId, label: unit ? `${user.fullName} – ${unit}` : user.fullName, access: (d: repo.DocWithVersion) => documentAccess(repo.accessFacts(d.doc), reader) };
  };

  // ---- public pages --------------------------------------------------------
  app.get('/q/:token', { schema: { tags, params: TokenParam, querystring: Lang } }, (req, reply) =>
    withErrorPages(req, reply, true, async () => {
      const h = await holder(req.params.token);
      const lang = pickLang(req.query.lang);
      // A version that is or ever was confidential never leaves by link: it counts as sign-in only.
      const docs = repo.listDocs(db, h.meeting.id).map((d) => {
        const access = h.access(d);
        return { d, access: access === 'download' && !linkable(d.doc.classification, d.ver) ? ('view' as const) : access };
      });
      const base = `/q/${encodeURIComponent(req.params.token)}`;
      const links = repo.agendaLinks(db, h.meeting.id);
      const html = landingPage(
        {
          meetingTitle: h.meeting.title,
          startsAt: h.meeting.startsAt,
          holder: h.label,
          docs: docs
            .filter((x) => x.access === 'download')
            .map(({ d }) => ({ title: d.doc.title, fileName: d.ver.fileName, mime: d.ver.mime, size: d.ver.size, pages: d.ver.pages, version: d.ver.version, href: `${base}/files/${d.doc.id}`, agendaItemIds: links.get(d.doc.id) ?? [] })),
          agenda: listAgenda(db, h.meeting.id),
          signInOnly: docs.filter((x) => x.access === 'view').length,
          enterHref: h.membership?.kind === 'delegate' ? `${base}/session` : null,
          expiresAt: qr.validUntil(h.meeting.id),
        },
        lang,
        base,
      );
      // same-origin, not no-referrer: under no-referrer the browser sends `Origin: null` with the
      // "Vào phòng họp" form, which the cross-site check must refuse. The token still never leaves the site.
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'same-origin').type('text/html; charset=utf-8').send(html);
    }),
  );

  // "Vào phòng họp": the QR token stands in for the password, but only for this
  // meeting. The session it opens cannot see other meetings or confidential
  // pages, and dies with the token (revocation, expiry, uninvitation).
  app.post('/q/:token/session', { schema: { tags, params: TokenParam, querystring: Lang } }, (req, reply) =>
    withErrorPages(req, reply, true, async () => {
      const h = await holder(req.params.token);
      if (!h.user || h.membership?.kind !== 'delegate') throw new AppError('FORBIDDEN', 403, 'Only a delegate\'s own QR code opens the meeting page');
      const target = `/meetings/${h.meeting.id}/delegate`;
      // Already signed in as this delegate (by password or an earlier scan): keep that session.
      if (req.user?.id !== h.user.id || (req.user.scope && req.user.scope.meetingId !== h.meeting.id)) {
        const user = h.user;
        const s = await app.database.run((st) => app.auth.openQrSession(st, user.id, { meetingId: h.meeting.id, qrJti: h.claims.jti }, qr.validUntil(h.meeting.id)));
        req.user = s.user;
        setSessionCookie(reply, s.token, s.expiresAt, cookieSecure);
      }
      req.audit('auth.qr_login', 'meeting', h.meeting.id, { jti: h.claims.jti });
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    }),
  );

  app.get('/q/:token/files/:docId', { schema: { tags, params: Type.Object({ token: Type.String({ maxLength: 300 }), docId: Type.Integer({ minimum: 1 }) }), querystring: Lang } }, (req, reply) =>
    withErrorPages(req, reply, true, async () => {
      // Bad tokens are refused before anything about the document is revealed.
      const pre = qr.verify(req.params.token);
      const d = pre.ok ? repo.findDoc(db, req.params.docId) : null;
      const h = await holder(req.params.token, d?.doc.meetingId);
      if (!d) throw notFound('Document');
      svc.assertDownloadable(d, d.ver, h.access(d), { userId: h.user?.id ?? null, ip: req.ip, via: `qr:${h.claims.jti}` });
      return svc.sendFile(req, reply, d, d.ver, { userId: h.user?.id ?? null, fullName: h.user?.fullName ?? null, bridgePointId: h.bridgePointId, channel: 'qr', tokenJti: h.claims.jti });
    }),
  );

  // ---- secretariat ---------------------------------------------------------
  const apiRoutes: FastifyPluginAsyncTypebox = async (api) => {
    const managers = api.requireUser('admin', 'secretariat');
    const manage = (meetingId: number, user: AuthUser) => getManagedMeeting(db, user, meetingId);
    /** Issuing, reissuing and revoking codes: not once the meeting has ended (409 MEETING_ENDED). */
    const manageOpen = (meetingId: number, user: AuthUser) => assertNotEnded(manage(meetingId, user));
    /** Ends the QR sessions opened with codes that were just revoked. */
    const endSessions = async (jtis: readonly string[]) => {
      for (const jti of jtis) await app.auth.endQrSessions(jti);
    };
    const delegateTokens = (meetingId: number, by: number) =>
      repo.invitees(db, meetingId).filter((p) => p.reader.membership?.kind === 'delegate').map((p) => ({ p, row: qr.current('delegate', meetingId, p.userId, by) }));

    api.get('/meetings/:id/qr/tokens', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: Type.Array(QrTokenInfo), ...errors } } }, (req) => {
      manage(req.params.id, req.user!);
      return qr.list(req.params.id);
    });

    api.post('/meetings/:id/qr/delegates', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: Type.Array(QrTokenInfo), ...errors } } }, (req) => {
      manageOpen(req.params.id, req.user!);
      const out = delegateTokens(req.params.id, req.user!.id).map(({ p, row }) => qr.info(row, p.fullName));
      req.audit('qr.issue', 'meeting', req.params.id, { kind: 'delegate', delegates: out.length });
      return out;
    });

    // Reissue one delegate's code: the old one stops working at once (and its sessions end).
    api.post('/meetings/:id/qr/delegates/:memberId', { onRequest: managers, schema: { tags, params: MeetingMemberParams, response: { 201: QrTokenInfo, ...errors } } }, async (req, reply) => {
      manageOpen(req.params.id, req.user!);
      const p = repo.invitees(db, req.params.id).find((x) => x.userId === req.params.memberId && x.reader.membership?.kind === 'delegate');
      if (!p) throw notFound('Invited delegate');
      const { row, revoked } = qr.reissue('delegate', req.params.id, p.userId, req.user!.id);
      await endSessions(revoked);
      req.audit(revoked.length ? 'qr.reissue' : 'qr.issue', 'meeting', req.params.id, { kind: 'delegate', userId: p.userId, jti: row.jti, revoked });
      return reply.status(201).send(qr.info(row, p.fullName));
    });

    // Reissue every delegate's code (e.g. a sheet was lost): all earlier codes stop working.
    api.post('/meetings/:id/qr/reissue', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: Type.Array(QrTokenInfo), ...errors } } }, async (req) => {
      manageOpen(req.params.id, req.user!);
      const people = repo.invitees(db, req.params.id).filter((p) => p.reader.membership?.kind === 'delegate');
      const ended: string[] = [];
      const out = people.map((p) => {
        const { row, revoked } = qr.reissue('delegate', req.params.id, p.userId, req.user!.id);
        ended.push(...revoked);
        return qr.info(row, p.fullName);
      });
      await endSessions(ended);
      req.audit('qr.reissue', 'meeting', req.params.id, { kind: 'delegate', delegates: out.length });
      return out;
    });

    api.post('/meetings/:id/qr/venue', { onRequest: managers, schema: { tags, params: IdParam, body: QrVenueCreate, response: { 201: QrTokenInfo, ...errors } } }, async (req, reply) => {
      const meeting = manageOpen(req.params.id, req.user!);
      const bpId = req.body.bridgePointId ?? 0;
      let name = meeting.title;
      if (bpId) {
        const bp = db.select({ name: bridgePoints.name, m: meetingBridgePoints.meetingId }).from(bridgePoints).leftJoin(meetingBridgePoints, eq(meetingBridgePoints.bridgePointId, bridgePoints.id)).where(eq(bridgePoints.id, bpId)).all();
        if (!bp.some((b) => b.m === meeting.id)) throw notFound('Invited bridge point');
        name = bp[0]!.name;
      }
      req.audit('qr.issue', 'meeting', meeting.id, { kind: 'venue', bridgePointId: bpId });
      return reply.status(201).send(qr.info(qr.issue('venue', meeting.id, bpId, req.user!.id), name));
    });

    api.post('/meetings/:id/qr/tokens/:jti/revoke', { onRequest: managers, schema: { tags, params: QrTokenParams, response: { 200: QrTokenInfo, ...errors } } }, async (req) => {
      manageOpen(req.params.id, req.user!);
      const row = qr.revoke(req.params.id, req.params.jti, req.user!.id);
      await endSessions([row.jti]);
      req.audit('qr.revoke', 'qr_token', row.jti, { meetingId: row.meetingId });
      return qr.list(req.params.id).find((t) => t.jti === row.jti)!;
    });

    api.get('/meetings/:id/qr/tokens/:jti/png', { onRequest: managers, schema: { tags, params: QrTokenParams } }, async (req, reply) => {
      manage(req.params.id, req.user!);
      const png = await qrPng(qr.urlOf(qr.get(req.params.id, req.params.jti)));
      return reply.header('cache-control', 'no-store').type('image/png').send(png);
    });

    api.get('/meetings/:id/qr-sheet', { onRequest: managers, schema: { tags, params: IdParam, querystring: Lang } }, async (req, reply) => {
      // Printing may issue the missing codes, so an ended meeting's sheet is refused too.
      const meeting = manageOpen(req.params.id, req.user!);
      const entries = await Promise.all(
        delegateTokens(meeting.id, req.user!.id).map(async ({ p, row }) => {
          const url = qr.urlOf(row);
          return { name: p.fullName, unit: [p.title, p.unitName].filter(Boolean).join(' – '), url, svg: await qrSvg(url) };
        }),
      );
      req.audit('qr.print_sheet', 'meeting', meeting.id, { delegates: entries.length });
      const place = meetingPlace(db, meeting);
      const sheet = { title: meeting.title, startsAt: meeting.startsAt, endsAt: meeting.endsAt, place, validUntil: qr.validUntil(meeting.id), validFrom: qr.now() };
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(printSheet(sheet, entries, pickLang(req.query.lang), req.url.split('?')[0]!));
    });
  };
  await app.register(apiRoutes, { prefix: '/api' });
};
