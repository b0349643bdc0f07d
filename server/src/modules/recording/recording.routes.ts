/**
 * Recording API and wiring: the chair starts and stops recording over HTTP,
 * the secretariat sets the meeting's recording policy, members list the
 * meeting's recordings and ask for a playback grant (each grant is a logged
 * view), and the file is served through that grant — inline for streaming,
 * as an attachment only where the classification allows a download.
 * The service follows the agenda (chapters) and the meeting's end, recovers
 * recordings a crash left open, and sweeps expired ones hourly.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import Type from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorResponse, RecordingGrant, RecordingInfo, RecordingPolicy, RecordingPolicyUpdate, RecordingState } from '@diemcau/shared';
import type { Config } from '../../config.ts';
import type { Store } from '../../db/database.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { dispositionFor, planDownload } from '../documents/documents.download.ts';
import type { Membership } from '../meetings/meetings.access.ts';
import { assertMember, getManagedMeeting, getMeetingOr404, membershipOf } from '../meetings/meetings.access.ts';
import { FINAL_FILE } from './finalize.ts';
import * as repo from './recording.repo.ts';
import { recordingAccess, type RecordingAccess } from './recording.access.ts';
import { createRecordingService, type RecordingService } from './recording.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    recording: RecordingService;
  }
}

export interface RecordingPluginOptions {
  config: Config;
  now?: () => number;
  /** Free bytes where recordings are written (tests give a nearly full disk). */
  freeBytes?: (dir: string) => Promise<number>;
  diskCheckMs?: number;
}

const tags = ['recording'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 507: ErrorResponse };
const MeetingParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const RecParams = Type.Object({ rid: Type.Integer({ minimum: 1 }) });
const GRANT_MS = 4 * 3600 * 1000;

export default fp<RecordingPluginOptions>(
  async (app, opts) => {
    const { database } = app;
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    const now = opts.now ?? Date.now;
    const svc = createRecordingService({
      database,
      config: opts.config.recording,
      root: join(opts.config.dataDir, 'recordings'),
      media: () => app.media.service(),
      announce: (s) => app.realtime.toMeeting(s.meetingId).emit('recording:changed', s),
      log: app.log.child({ module: 'recording' }),
      now,
      ...(opts.freeBytes && { freeBytes: opts.freeBytes }),
      ...(opts.diskCheckMs && { diskCheckMs: opts.diskCheckMs }),
    });
    app.decorate('recording', svc);

    app.conference.subscribe((meetingId, out) => {
      for (const o of out) {
        if (o.name === 'agenda:changed') svc.onAgenda(meetingId, o.payload.agenda);
        if (o.name === 'meeting:ended' && svc.state(meetingId).active) {
          void svc.stop(meetingId, null, 'meeting_ended').catch((err: unknown) => app.log.error({ err, meetingId }, 'recording stop at meeting end failed'));
        }
      }
    });

    let sweep: NodeJS.Timeout | null = null;
    app.addHook('onReady', async () => {
      const recovered = await svc.recover();
      if (recovered) app.log.warn({ recovered }, 'recordings left open by a stopped server were closed from their segments');
      await svc.sweepRetention();
      sweep = setInterval(() => void svc.sweepRetention().catch((err: unknown) => app.log.error({ err }, 'recording retention sweep failed')), 3600 * 1000);
      sweep.unref();
    });
    app.addHook('onClose', async () => {
      if (sweep) clearInterval(sweep);
      await svc.close();
    });

    const member = app.requireUser();
    const manager = app.requireUser('admin', 'secretariat');
    const viewer = (user: AuthUser, membership: Membership | null) => ({ membership, qrSession: !!user.scope });
    const info = (row: repo.RecordingRow, access: RecordingAccess) => ({
      id: row.id, meetingId: row.meetingId, status: row.status, classification: row.classification, startedAt: row.startedAt, stoppedAt: row.stoppedAt,
      stopReason: row.stopReason, durationMs: row.durationMs, size: row.size, sha256: row.sha256, chapters: row.chapters, access,
    });

    // ---- live control ----------------------------------------------------------
    api.get('/api/meetings/:id/recording', { onRequest: member, schema: { tags, params: MeetingParams, response: { 200: Type.Object({ state: RecordingState, policy: RecordingPolicy, recordings: Type.Array(RecordingInfo) }), ...errors } } }, async (req) => {
      const { m, membership, rows, policy } = await database.run(async (s) => {
        const m = await getMeetingOr404(s, req.params.id);
        return { m, membership: await assertMember(s, req.user!, m), rows: await repo.listForMeeting(s, m.id), policy: await repo.policyOf(s, m.id) };
      });
      const v = viewer(req.user!, membership);
      const recordings = rows.filter((r) => r.status !== 'deleted').map((r) => info(r, recordingAccess(r.classification, v)));
      return { state: svc.state(m.id), policy: { meetingId: m.id, ...policy }, recordings };
    });

    api.put('/api/meetings/:id/recording/policy', { onRequest: manager, schema: { tags, params: MeetingParams, body: RecordingPolicyUpdate, response: { 200: RecordingPolicy, ...errors } } }, (req) =>
      database.tx(async (s) => {
        const m = await getManagedMeeting(s, req.user!, req.params.id);
        await repo.setPolicy(s, m.id, req.body, req.user!.id, now());
        await appendAudit(s, requestAudit(req, 'recording.policy', 'meeting', m.id, req.body));
        return { meetingId: m.id, ...(await repo.policyOf(s, m.id)) };
      }),
    );

    api.post('/api/meetings/:id/recording/start', { onRequest: manager, schema: { tags, params: MeetingParams, response: { 200: RecordingState, ...errors, 503: ErrorResponse } } }, async (req) => {
      const m = await database.run((s) => getManagedMeeting(s, req.user!, req.params.id));
      if (m.status !== 'live') throw new AppError('MEETING_NOT_LIVE', 409, 'Only a live meeting can be recorded');
      return svc.start(m.id, { userId: req.user!.id, ip: req.ip }, (await app.conference.snapshot(m.id)).agenda);
    });

    api.post('/api/meetings/:id/recording/stop', { onRequest: manager, schema: { tags, params: MeetingParams, response: { 200: RecordingInfo, ...errors } } }, async (req) => {
      const m = await database.run((s) => getManagedMeeting(s, req.user!, req.params.id));
      const row = await svc.stop(m.id, req.user!.id, 'chair', req.ip);
      const membership = await database.run((s) => membershipOf(s, req.user!, m));
      return info(row, recordingAccess(row.classification, viewer(req.user!, membership)));
    });

    // ---- playback ----------------------------------------------------------------
    const sign = (rid: number, userId: number, mode: string, exp: number) =>
      createHmac('sha256', opts.config.secret).update(`recording:${rid}:${userId}:${mode}:${exp}`).digest('base64url');

    /** The recording, the caller's access to it, and its file; 404 for those who may not see it. */
    async function playable(s: Store, rid: number, user: AuthUser) {
      const row = await repo.getRecording(s, rid);
      const access = recordingAccess(row.classification, viewer(user, await membershipOf(s, user, await getMeetingOr404(s, row.meetingId))));
      const file = join(svc.fileOf(row), FINAL_FILE);
      if (access === 'none' || row.status === 'deleted') throw notFound('Recording');
      if (!existsSync(file)) throw new AppError('CONFLICT', 409, 'The recording is not ready yet');
      return { row, access, file };
    }

    api.post('/api/recordings/:rid/grant', { onRequest: member, schema: { tags, params: RecParams, response: { 200: RecordingGrant, ...errors } } }, async (req) => {
      const user = req.user!;
      const { row, access } = await database.run((s) => playable(s, req.params.rid, user));
      const exp = now() + GRANT_MS;
      await database.tx(async (s) => {
        await repo.logView(s, { recordingId: row.id, userId: user.id, at: now(), ip: req.ip, mode: 'stream' });
        await appendAudit(s, requestAudit(req, 'recording.view', 'meeting', row.meetingId, { recordingId: row.id, classification: row.classification }));
      });
      const q = (mode: string) => `?exp=${exp}&sig=${sign(row.id, user.id, mode, exp)}`;
      return {
        url: `/api/recordings/${row.id}/stream${q('stream')}`,
        expiresAt: exp,
        // A confidential recording never gets a download link.
        download: access === 'download' ? `/api/recordings/${row.id}/download${q('download')}` : null,
      };
    });

    const Signed = Type.Object({ exp: Type.Integer({ minimum: 0 }), sig: Type.String({ maxLength: 64 }) });
    async function serve(req: FastifyRequest, reply: FastifyReply, mode: 'stream' | 'download', rid: number, q: { exp: number; sig: string }) {
      const user = req.user!;
      const { row, access, file } = await database.run((s) => playable(s, rid, user));
      const want = Buffer.from(sign(row.id, user.id, mode, q.exp));
      const got = Buffer.from(q.sig);
      if (q.exp < now() || want.length !== got.length || !timingSafeEqual(want, got)) throw new AppError('TOKEN_INVALID', 403, 'Playback link expired or not yours; open the recording again');
      if (mode === 'download' && access !== 'download') throw new AppError('CONFIDENTIAL', 403, 'This recording may only be watched, not downloaded');
      if (mode === 'download') await database.run((s) => repo.logView(s, { recordingId: row.id, userId: user.id, at: now(), ip: req.ip, mode }));
      const h = req.headers;
      const plan = planDownload(
        { method: req.method, range: h.range, ifRange: h['if-range'] as string | undefined, ifNoneMatch: h['if-none-match'] },
        { size: statSync(file).size, sha256: row.sha256 ?? String(row.id), mime: 'video/webm', fileName: `ghi-hinh-${row.meetingId}-${row.id}.webm` },
      );
      const headers = mode === 'stream' ? { ...plan.headers, 'content-disposition': dispositionFor(`ghi-hinh-${row.id}.webm`, 'inline'), 'cache-control': 'no-store, private' } : plan.headers;
      reply.status(plan.status).headers(headers);
      if (!('start' in plan) || req.method === 'HEAD') return reply.send();
      return reply.send(createReadStream(file, { start: plan.start, end: plan.end }));
    }
    api.get('/api/recordings/:rid/stream', { onRequest: member, schema: { tags, params: RecParams, querystring: Signed } }, (req, reply) => serve(req, reply, 'stream', req.params.rid, req.query));
    api.get('/api/recordings/:rid/download', { onRequest: member, schema: { tags, params: RecParams, querystring: Signed } }, (req, reply) => serve(req, reply, 'download', req.params.rid, req.query));
  },
  { name: 'recording', dependencies: ['db', 'auth', 'audit', 'realtime', 'conference', 'media'] },
);
