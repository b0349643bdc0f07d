/**
 * Minutes API for the secretariat and the admin: the draft with its model,
 * field edits, finalising, amendments, the PDF and DOCX, the exports beside
 * the minutes, the archive and the per-province header settings.
 * Registered after the conference socket: it reads the room through it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse, HumanName, HumanText, LongText } from '@diemcau/shared';
import type { Config } from '../../config.ts';
import { forbidden } from '../../lib/app-error.ts';
import type { Store } from '../../db/database.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { getManagedMeeting, provinceOfUnit } from '../meetings/meetings.access.ts';
import { listArchive } from './minutes.archive.ts';
import { putSettings } from './minutes.repo.ts';
import { createMinutesService, headerForProvince } from './minutes.service.ts';
import { EXPORT_TABLES } from './minutes.types.ts';
// exceljs and csv-stringify load on the first export, not at start.
const exporters = () => import('./minutes.export.ts');

const ok = { 200: Type.Unknown() };
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const Id = Type.Integer({ minimum: 1 });
const MeetingParams = Type.Object({ id: Id });
const MIME = { pdf: 'application/pdf', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export interface MinutesRoutesOptions {
  config: Pick<Config, 'dataDir' | 'minutes'>;
}

const minutesRoutes: FastifyPluginAsyncTypebox<MinutesRoutesOptions> = async (app, opts) => {
  const { database } = app;
  const manager = app.requireUser('admin', 'secretariat');
  const service = createMinutesService({ database, config: opts.config, roomState: (id) => app.conference.state(id) });
  const managed = (user: AuthUser, id: number) => database.run((s) => getManagedMeeting(s, user, id));
  const schema = <T extends object>(extra: T) => ({ tags: ['minutes'], response: { ...ok, ...errors }, ...extra });

  app.get('/meetings/:id/minutes', { onRequest: manager, schema: schema({ params: MeetingParams }) }, async (req) => service.view(await managed(req.user!, req.params.id), req.user!.id));

  app.put(
    '/meetings/:id/minutes/fields/:field',
    {
      onRequest: manager,
      schema: schema({
        params: Type.Object({ id: Id, field: Type.String({ maxLength: 20 }) }),
        body: Type.Object({ value: LongText({ maxLength: 20_000 }), baseVersion: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      }),
    },
    async (req) => service.saveField(await managed(req.user!, req.params.id), req.user!.id, req.params.field, req.body.value, req.body.baseVersion),
  );

  app.post('/meetings/:id/minutes/finalise', { onRequest: manager, schema: schema({ params: MeetingParams }) }, async (req) =>
    service.finalise(await managed(req.user!, req.params.id), req.user!.id),
  );

  app.post(
    '/meetings/:id/minutes/amend',
    { onRequest: manager, schema: schema({ params: MeetingParams, body: Type.Object({ changeNote: HumanName(1000) }, { additionalProperties: false }) }) },
    async (req) => service.amend(await managed(req.user!, req.params.id), req.user!.id, req.body.changeNote),
  );

  app.get(
    '/meetings/:id/minutes/file.:format',
    { onRequest: manager, schema: schema({ params: Type.Object({ id: Id, format: Type.Enum(['pdf', 'docx']) }), querystring: Type.Object({ version: Type.Optional(Id) }) }) },
    async (req, reply) => {
      const meeting = await managed(req.user!, req.params.id);
      const f = await service.file(meeting, req.user!.id, req.query.version ?? null, req.params.format);
      const name = `bien-ban-${meeting.id}-v${f.version}${f.final ? '' : '-du-thao'}.${req.params.format}`;
      return reply.type(MIME[req.params.format]).header('content-disposition', `attachment; filename="${name}"`).send(f.body);
    },
  );

  app.get(
    '/meetings/:id/minutes/export/:table.:format',
    { onRequest: manager, schema: schema({ params: Type.Object({ id: Id, table: Type.Enum([...EXPORT_TABLES]), format: Type.Enum(['csv', 'xlsx']) }) }) },
    async (req, reply) => {
      const meeting = await managed(req.user!, req.params.id);
      const v = await service.view(meeting, req.user!.id);
      const state = await app.conference.state(meeting.id);
      const bridgeName = new Map(state.presence.bridges.map((b) => [b.bridgePointId, b.name]));
      const people = state.presence.delegates.toArray().map((d) => ({
        fullName: d.fullName,
        level: d.level,
        bridge: d.bridgePointId === null ? 'Thiết bị cá nhân' : (bridgeName.get(d.bridgePointId) ?? ''),
        status: d.status,
        reason: d.reason,
      }));
      const { sheetCsv, sheetOf, sheetXlsx } = await exporters();
      const sheet = await app.database.run((s) => sheetOf(s, meeting.id, v.model, req.params.table, people));
      const body = req.params.format === 'csv' ? sheetCsv(sheet) : await sheetXlsx(sheet);
      return reply.type(MIME[req.params.format]).header('content-disposition', `attachment; filename="${req.params.table}-${meeting.id}.${req.params.format}"`).send(body);
    },
  );

  app.get(
    '/minutes/archive',
    {
      onRequest: manager,
      schema: schema({
        querystring: Type.Object({
          q: Type.Optional(HumanText({ maxLength: 200 })),
          from: Type.Optional(Type.String({ format: 'date' })),
          to: Type.Optional(Type.String({ format: 'date' })),
          unitId: Type.Optional(Id),
        }),
      }),
    },
    (req) => database.run((s) => listArchive(s, req.user!, req.query, service.searchText)),
  );

  const Settings = Type.Object(
    { style: Type.Enum(['party', 'state']), superior: HumanName(200), issuer: HumanName(200), symbol: HumanName(40), place: HumanName(100) },
    { additionalProperties: false },
  );
  const provinceOf = async (s: Store, user: AuthUser, unitId: number | undefined) => {
    const p = unitId ? await provinceOfUnit(s, unitId) : user.provinceId;
    if (p == null) throw forbidden('Say which province');
    if (user.role !== 'admin' && p !== user.provinceId) throw forbidden('The unit belongs to another province');
    return p;
  };
  app.get('/minutes/settings', { onRequest: manager, schema: schema({ querystring: Type.Object({ unitId: Type.Optional(Id) }) }) }, (req) =>
    database.run(async (s) => headerForProvince(s, await provinceOf(s, req.user!, req.query.unitId))),
  );
  app.put('/minutes/settings', { onRequest: manager, schema: schema({ querystring: Type.Object({ unitId: Type.Optional(Id) }), body: Settings }) }, async (req) => {
    await database.tx(async (s) => {
      const p = await provinceOf(s, req.user!, req.query.unitId);
      await putSettings(s, { unitId: p, ...req.body });
      await appendAudit(s, requestAudit(req, 'minutes.settings', 'unit', p, req.body));
    });
    return { ok: true };
  });
};

export default minutesRoutes;
