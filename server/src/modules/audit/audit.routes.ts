import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, AuditQuery, AuditVerification, ErrorResponse } from '@diemcau/shared';
import { verifyAudit } from './audit.chain.ts';
import { listAudit } from './audit.repo.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** The audit trail, for administrators only: filtered listing and chain verification. */
const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.requireUser('admin');
  app.get('/audit', { onRequest: admin, schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: AuditPage, ...errors } } }, (req) =>
    listAudit(app.db, req.query),
  );
  app.get('/audit/verify', { onRequest: admin, schema: { tags: ['audit'], response: { 200: AuditVerification, ...errors } } }, () => verifyAudit(app.db));
};

export default auditRoutes;
