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
import type { Store } from '../../db/database.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { assertNotEnded, bridgePointOf } from '../meetings/meetings.access.ts';
import { getManagedMeeting, getMeetingOr404, meetingPlace, membershipOf } from '../meetings/meetings.access.ts';
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
  /** Whether session cookies get the Secure flag (HTTPS deployments). */
  cookieSecure: boolean;
}

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const tags = ['qr'];
const TokenParam = Type.Object({ token: Type.String({ maxLength: 300 }) });
const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 5 })) });

export const qrRoutes: FastifyPluginAsyncTypebox<QrRoutesOptions> = async (app, { svc, qr, cookieSecure }) => {
  const { database } = app;
  // The landing page's "enter the meeting" button is a plain HTML form (no scripts on that page).
  await app.register(formbody, { bodyLimit: 1024 });

  /** Verifies a token and resolves what its holder may download; throws typed 401/403 errors. */
  const holder = async (token: string, meetingId?: number) => {
    const v = await qr.verify(token, meetingId);
    if (!v.ok) {
      const { status, code } = qrFailureStatus(v.reason);
      throw new AppError(code, status, `QR token ${v.reason}`, { reason: v.reason });
    }
    const { claims } = v;
    if (claims.kind === 'venue') {
      return database.run(async (s) => {
        const meeting = await getMeetingOr404(s, claims.meetingId);
        const [bp] = claims.subjectId ? await s.q.select().from(s.t.bridgePoints).where(eq(s.t.bridgePoints.id, claims.subjectId)) : [];
        return { claims, meeting, user: null, membership: null, bridgePointId: bp?.id ?? null, label: bp?.name ?? meeting.title, access: (d: repo.DocWithVersion) => venueAccess(repo.accessFacts(d.doc)) };
      });
    }
    const meeting = await database.run((s) => getMeetingOr404(s, claims.meetingId));
    const user = await database.run((s) => app.auth.loadUser(s, claims.subjectId));
    const seat =
      user &&
      (await database.run(async (s) => {
        const membership = await membershipOf(s, user, meeting);
        if (!membership) return null;
        const reader = await repo.readerOf(s, user, membership);
        return { membership, reader, unit: await repo.unitNameOf(s, reader) };
      }));
    // A delegate no longer invited (or deactivated) loses the link with the invitation.
    if (!user?.active || !seat) throw new AppError('TOKEN_REVOKED', 403, 'The invitation behind this QR code was withdrawn');
    const { membership, reader, unit } = seat;
    return { claims, meeting, user, membership, bridgePointId: bridgePointOf(membership), label: unit ? `${user.fullName} – ${unit}` : user.fullName, access: (d: repo.DocWithVersion) => documentAccess(repo.accessFacts(d.doc), reader) };
  };

  // ---- public pages --------------------------------------------------------
  app.get('/q/:token', { schema: { tags, params: TokenParam, querystring: Lang } }, (req, reply) =>
    withErrorPages(req, reply, true, async () => {
      const h = await holder(req.params.token);
      const lang = pickLang(req.query.lang);
      const [all, links] = await database.run(async (s) => [await repo.listDocs(s, h.meeting.id), await repo.agendaLinks(s, h.meeting.id)] as const);
      // A version that is or ever was confidential never leaves by link: it counts as sign-in only.
      const docs = all.map((d) => {
        const access = h.access(d);
        return { d, access: access === 'download' && !linkable(d.doc.classification, d.ver) ? ('view' as const) : access };
      });
      const base = `/q/${encodeURIComponent(req.params.token)}`;
      const html = landingPage(
        {
          meetingTitle: h.meeting.title,
          startsAt: h.meeting.startsAt,
          holder: h.label,
          docs: docs
            .filter((x) => x.access === 'download')
            .map(({ d }) => ({ title: d.doc.title, fileName: d.ver.fileName, mime: d.ver.mime, size: d.ver.size, pages: d.ver.pages, version: d.ver.version, href: `${base}/files/${d.doc.id}`, agendaItemIds: links.get(d.doc.id) ?? [] })),
          agenda: await database.run((s) => listAgenda(s, h.meeting.id)),
          signInOnly: docs.filter((x) => x.access === 'view').length,
          enterHref: h.membership?.kind === 'delegate' ? `${base}/session` : null,
          expiresAt: await qr.validUntil(h.meeting.id),
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
        const until = await qr.validUntil(h.meeting.id);
        const user = h.user;
        const s = await database.run((st) => app.auth.openQrSession(st, user.id, { meetingId: h.meeting.id, qrJti: h.claims.jti }, until));
        req.user = s.user;
        setSessionCookie(reply, s.token, s.expiresAt, cookieSecure);
      }
      await database.tx((s) => appendAudit(s, requestAudit(req, 'auth.qr_login', 'meeting', h.meeting.id, { jti: h.claims.jti })));
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    }),
  );

  app.get('/q/:token/files/:docId', { schema: { tags, params: Type.Object({ token: Type.String({ maxLength: 300 }), docId: Type.Integer({ minimum: 1 }) }), querystring: Lang } }, (req, reply) =>
    withErrorPages(req, reply, true, async () => {
      // Bad tokens are refused before anything about the document is revealed.
      const pre = await qr.verify(req.params.token);
      const d = pre.ok ? await database.run((s) => repo.findDoc(s, req.params.docId)) : null;
      const h = await holder(req.params.token, d?.doc.meetingId);
      if (!d) throw notFound('Document');
      await svc.assertDownloadable(d, d.ver, h.access(d), { userId: h.user?.id ?? null, ip: req.ip, via: `qr:${h.claims.jti}` });
      return svc.sendFile(req, reply, d, d.ver, { userId: h.user?.id ?? null, fullName: h.user?.fullName ?? null, bridgePointId: h.bridgePointId, channel: 'qr', tokenJti: h.claims.jti });
    }),
  );

  // ---- secretariat ---------------------------------------------------------
  const apiRoutes: FastifyPluginAsyncTypebox = async (api) => {
    const managers = api.requireUser('admin', 'secretariat');
    const manage = (meetingId: number, user: AuthUser) => database.run((s) => getManagedMeeting(s, user, meetingId));
    /** Issuing, reissuing and revoking codes: not once the meeting has ended (409 MEETING_ENDED). */
    const manageOpen = async (meetingId: number, user: AuthUser) => assertNotEnded(await manage(meetingId, user));
    /** Ends the QR sessions opened with codes that were just revoked (once the revocation has committed). */
    const endSessions = async (jtis: readonly string[]) => {
      for (const jti of jtis) await app.auth.endQrSessions(jti);
    };
    const invitedDelegates = async (s: Store, meetingId: number) => (await repo.invitees(s, meetingId)).filter((p) => p.reader.membership?.kind === 'delegate');
    /** Every invited delegate with their live code, issued when missing (in the caller's transaction). */
    const delegateTokens = async (s: Store, meetingId: number, by: number) => {
      const people = await invitedDelegates(s, meetingId);
      const rows = await qr.current(s, 'delegate', meetingId, people.map((p) => p.userId), by);
      return people.map((p, i) => ({ p, row: rows[i]! }));
    };

    api.get('/meetings/:id/qr/tokens', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: Type.Array(QrTokenInfo), ...errors } } }, async (req) => {
      await manage(req.params.id, req.user!);
      return qr.list(req.params.id);
    });

    api.post('/meetings/:id/qr/delegates', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: Type.Array(QrTokenInfo), ...errors } } }, async (req) => {
      await manageOpen(req.params.id, req.user!);
      const tokens = await database.tx(async (s) => {
        const out = await delegateTokens(s, req.params.id, req.user!.id);
        await appendAudit(s, requestAudit(req, 'qr.issue', 'meeting', req.params.id, { kind: 'delegate', delegates: out.length }));
        return out;
      });
      const until = await qr.validUntil(req.params.id);
      return tokens.map(({ p, row }) => qr.info(row, p.fullName, until));
    });

    // Reissue one delegate's code: the old one stops working at once (and its sessions end).
    api.post('/meetings/:id/qr/delegates/:memberId', { onRequest: managers, schema: { tags, params: MeetingMemberParams, response: { 201: QrTokenInfo, ...errors } } }, async (req, reply) => {
      await manageOpen(req.params.id, req.user!);
      const { p, row, revoked } = await database.tx(async (s) => {
        const p = (await invitedDelegates(s, req.params.id)).find((x) => x.userId === req.params.memberId);
        if (!p) throw notFound('Invited delegate');
        const { row, revoked } = await qr.reissue(s, 'delegate', req.params.id, p.userId, req.user!.id);
        await appendAudit(s, requestAudit(req, revoked.length ? 'qr.reissue' : 'qr.issue', 'meeting', req.params.id, { kind: 'delegate', userId: p.userId, jti: row.jti, revoked }));
        return { p, row, revoked };
      });
      await endSessions(revoked);
      return reply.status(201).send(qr.info(row, p.fullName, await qr.validUntil(req.params.id)));
    });

    // Reissue every delegate's code (e.g. a sheet was lost): all earlier codes stop working.
    api.post('/meetings/:id/qr/reissue', { onRequest: managers, schema: { tags, params: IdParam, response: { 200: Type.Array(QrTokenInfo), ...errors } } }, async (req) => {
      await manageOpen(req.params.id, req.user!);
      const done = await database.tx(async (s) => {
        const out = [];
        for (const p of await invitedDelegates(s, req.params.id)) out.push({ p, ...(await qr.reissue(s, 'delegate', req.params.id, p.userId, req.user!.id)) });
        await appendAudit(s, requestAudit(req, 'qr.reissue', 'meeting', req.params.id, { kind: 'delegate', delegates: out.length }));
        return out;
      });
      await endSessions(done.flatMap((x) => x.revoked));
      const until = await qr.validUntil(req.params.id);
      return done.map(({ p, row }) => qr.info(row, p.fullName, until));
    });

    api.post('/meetings/:id/qr/venue', { onRequest: managers, schema: { tags, params: IdParam, body: QrVenueCreate, response: { 201: QrTokenInfo, ...errors } } }, async (req, reply) => {
      const meeting = await manageOpen(req.params.id, req.user!);
      const bpId = req.body.bridgePointId ?? 0;
      const row = await database.tx(async (s) => {
        const { bridgePoints, meetingBridgePoints } = s.t;
        let name = meeting.title;
        if (bpId) {
          const bp = await s.q.select({ name: bridgePoints.name, m: meetingBridgePoints.meetingId }).from(bridgePoints).leftJoin(meetingBridgePoints, eq(meetingBridgePoints.bridgePointId, bridgePoints.id)).where(eq(bridgePoints.id, bpId));
          if (!bp.some((b) => b.m === meeting.id)) throw notFound('Invited bridge point');
          name = bp[0]!.name;
        }
        await appendAudit(s, requestAudit(req, 'qr.issue', 'meeting', meeting.id, { kind: 'venue', bridgePointId: bpId }));
        return { name, row: await qr.issue(s, 'venue', meeting.id, bpId, req.user!.id) };
      });
      return reply.status(201).send(qr.info(row.row, row.name, await qr.validUntil(meeting.id)));
    });

    api.post('/meetings/:id/qr/tokens/:jti/revoke', { onRequest: managers, schema: { tags, params: QrTokenParams, response: { 200: QrTokenInfo, ...errors } } }, async (req) => {
      await manageOpen(req.params.id, req.user!);
      const row = await database.tx(async (s) => {
        const row = await qr.revoke(s, req.params.id, req.params.jti, req.user!.id);
        await appendAudit(s, requestAudit(req, 'qr.revoke', 'qr_token', row.jti, { meetingId: row.meetingId }));
        return row;
      });
      await endSessions([row.jti]);
      return (await qr.list(req.params.id)).find((t) => t.jti === row.jti)!;
    });

    api.get('/meetings/:id/qr/tokens/:jti/png', { onRequest: managers, schema: { tags, params: QrTokenParams } }, async (req, reply) => {
      await manage(req.params.id, req.user!);
      const png = await qrPng(qr.urlOf(await qr.get(req.params.id, req.params.jti)));
      return reply.header('cache-control', 'no-store').type('image/png').send(png);
    });

    api.get('/meetings/:id/qr-sheet', { onRequest: managers, schema: { tags, params: IdParam, querystring: Lang } }, async (req, reply) => {
      // Printing may issue the missing codes, so an ended meeting's sheet is refused too.
      const meeting = await manageOpen(req.params.id, req.user!);
      const tokens = await database.tx((s) => delegateTokens(s, meeting.id, req.user!.id));
      // The SVGs are drawn outside any transaction; the print is audited once the sheet exists.
      const entries = await Promise.all(
        tokens.map(async ({ p, row }) => {
          const url = qr.urlOf(row);
          return { name: p.fullName, unit: [p.title, p.unitName].filter(Boolean).join(' – '), url, svg: await qrSvg(url) };
        }),
      );
      await database.tx((s) => appendAudit(s, requestAudit(req, 'qr.print_sheet', 'meeting', meeting.id, { delegates: entries.length })));
      const place = await database.run((s) => meetingPlace(s, meeting));
      const sheet = { title: meeting.title, startsAt: meeting.startsAt, endsAt: meeting.endsAt, place, validUntil: await qr.validUntil(meeting.id), validFrom: qr.now() };
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(printSheet(sheet, entries, pickLang(req.query.lang), req.url.split('?')[0]!));
    });
  };
  await app.register(apiRoutes, { prefix: '/api' });
};
