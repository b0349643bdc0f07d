import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, AuditQuery, AuditVerification, ErrorResponse } from '@diemcau/shared';
import { listAudit } from './audit.repo.ts';
import { verifyAudit } from './audit.store.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** The audit trail, for administrators only: filtered listing and chain verification. */
const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.requireUser('admin');
  app.get('/audit', { onRequest: admin, schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: AuditPage, ...errors } } }, (req) =>
    app.database.run((s) => listAudit(s, req.query)),
  );
  app.get('/audit/verify', { onRequest: admin, schema: { tags: ['audit'], response: { 200: AuditVerification, ...errors } } }, () => app.database.run(verifyAudit));
};

export default auditRoutes;
