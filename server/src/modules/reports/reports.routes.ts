/**
 * Report API for the secretariat and the admin: the figures as JSON, the
 * same as XLSX and PDF, and the editable unit distance table.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse, Ok } from '@diemcau/shared';
import type { Config } from '../../config.ts';
import { forbidden, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import { provinceOfUnit } from '../meetings/meetings.access.ts';
import type { AuthUser } from '../auth/auth.service.ts';
// exceljs, pdf-lib and fontkit load on the first export, not at start (about a fifth of the start-up time).
const exporters = () => import('./reports.export.ts');
import { listDistances, setDistance } from './reports.repo.ts';
import { getReport } from './reports.service.ts';

// Report bodies are built by the service and documented by ReportView, not re-validated on the way out.
const ok = { 200: Type.Unknown() };
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const Query = Type.Object(
  {
    unitId: Type.Integer({ minimum: 1 }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
const Params = Type.Object({ format: Type.Enum(['xlsx', 'pdf']) });

export interface ReportsRoutesOptions {
  config: Pick<Config, 'report'>;
}

const reportsRoutes: FastifyPluginAsyncTypebox<ReportsRoutesOptions> = async (app, opts) => {
  const { database } = app;
  const manager = app.requireUser('admin', 'secretariat');
  const admin = app.requireUser('admin');

  // The secretariat reports on its own province only; the admin on any.
  const report = (user: AuthUser, q: { unitId: number; from: string; to: string }) =>
    database.run(async (s) => {
      const province = await provinceOfUnit(s, q.unitId);
      if (province == null) throw notFound('Unit');
      if (user.role !== 'admin' && province !== user.provinceId) throw forbidden('The unit belongs to another province');
      return getReport(s, { unitId: q.unitId, from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() }, opts.config.report);
    });

  app.get('/reports', { onRequest: manager, schema: { tags: ['reports'], querystring: Query, response: { ...ok, ...errors } } }, (req) => report(req.user!, req.query));

  app.get('/reports/export.:format', { onRequest: manager, schema: { tags: ['reports'], params: Params, querystring: Query, response: { ...ok, ...errors } } }, async (req, reply) => {
    // Built after the read has released the database: the files take a while.
    const r = await report(req.user!, req.query);
    const name = `bao-cao-${r.unit.id}-${r.period.from.slice(0, 10)}-${r.period.to.slice(0, 10)}.${req.params.format}`;
    const { reportPdf, reportXlsx } = await exporters();
    const body = req.params.format === 'xlsx' ? await reportXlsx(r) : await reportPdf(r);
    return reply
      .type(req.params.format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/pdf')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(body);
  });

  app.get('/reports/distances', { onRequest: manager, schema: { tags: ['reports'], response: { ...ok, ...errors } } }, () => database.run(listDistances));

  app.put(
    '/reports/distances/:unitId',
    {
      onRequest: admin,
      schema: {
        tags: ['reports'],
        params: Type.Object({ unitId: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ km: Type.Number({ minimum: 0, maximum: 2000 }) }, { additionalProperties: false }),
        response: { 200: Ok, ...errors },
      },
    },
    async (req) => {
      await database.tx(async (s) => {
        if (!(await setDistance(s, req.params.unitId, req.body.km))) throw notFound('Unit');
        await appendAudit(s, requestAudit(req, 'report.distance', 'unit', req.params.unitId, { km: req.body.km }));
      });
      return { ok: true as const };
    },
  );
};

export default reportsRoutes;
