import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AgendaItem, AgendaItemCreate, AgendaItemParams, AgendaItemUpdate, AgendaOrder, ErrorResponse, IdParam, Ok } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { assertMember, getManagedMeeting, getMeetingOr404 } from '../meetings/meetings.access.ts';
import { assertDocumentsOfMeeting } from '../documents/documents.service.ts';
import { compactAfterRemoval, reorder } from './agenda-order.ts';
import * as repo from './agenda.repo.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** Agenda items of a meeting: CRUD and reorder. Editable until the meeting has ended. */
const agendaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app;
  const manager = app.requireUser('admin', 'secretariat');

  const editable = async (s: Store, meetingId: number, user: AuthUser) => {
    const m = await getManagedMeeting(s, user, meetingId);
    if (m.status === 'ended' || m.status === 'archived') throw new AppError('CONFLICT', 409, 'The agenda of an ended meeting is part of the record');
    return m;
  };
  /** Documents linked or unlinked through the agenda editor are audited like the documents route does. */
  const auditAttached = async (s: Store, req: FastifyRequest, meetingId: number, agendaItemId: number, before: readonly number[], after: readonly number[]) => {
    for (const id of after.filter((d) => !before.includes(d))) await appendAudit(s, requestAudit(req, 'document.attach', 'document', id, { meetingId, agendaItemId, attached: true }));
    for (const id of before.filter((d) => !after.includes(d))) await appendAudit(s, requestAudit(req, 'document.attach', 'document', id, { meetingId, agendaItemId, attached: false }));
  };
  const itemOf = async (s: Store, meetingId: number, itemId: number) => {
    const item = await repo.getItem(s, itemId);
    if (!item || item.meetingId !== meetingId) throw notFound('Agenda item');
    return item;
  };

  app.get('/meetings/:id/agenda', { onRequest: app.requireUser(), schema: { tags: ['agenda'], params: IdParam, response: { 200: Type.Array(AgendaItem), ...errors } } }, (req) =>
    database.run(async (s) => {
      await assertMember(s, req.user!, await getMeetingOr404(s, req.params.id));
      return repo.listAgenda(s, req.params.id);
    }),
  );

  app.post('/meetings/:id/agenda', { onRequest: manager, schema: { tags: ['agenda'], params: IdParam, body: AgendaItemCreate, response: { 201: AgendaItem, ...errors } } }, async (req, reply) => {
    const item = await database.tx(async (s) => {
      const m = await editable(s, req.params.id, req.user!);
      await assertDocumentsOfMeeting(s, m.id, req.body.documentIds ?? []);
      const created = await repo.insertItem(s, m.id, req.body);
      await appendAudit(s, requestAudit(req, 'agenda.create', 'agenda_item', created.id, { meetingId: m.id, title: created.title }));
      await auditAttached(s, req, m.id, created.id, [], created.documentIds);
      return created;
    });
    reply.status(201);
    return item;
  });

  app.patch('/meetings/:id/agenda/:itemId', { onRequest: manager, schema: { tags: ['agenda'], params: AgendaItemParams, body: AgendaItemUpdate, response: { 200: AgendaItem, ...errors } } }, (req) =>
    database.tx(async (s) => {
      const m = await editable(s, req.params.id, req.user!);
      const before = await itemOf(s, m.id, req.params.itemId);
      await assertDocumentsOfMeeting(s, m.id, req.body.documentIds ?? []);
      await appendAudit(s, requestAudit(req, 'agenda.update', 'agenda_item', req.params.itemId, req.body));
      if (req.body.documentIds) await auditAttached(s, req, m.id, before.id, before.documentIds, req.body.documentIds);
      return repo.updateItem(s, req.params.itemId, req.body);
    }),
  );

  app.delete('/meetings/:id/agenda/:itemId', { onRequest: manager, schema: { tags: ['agenda'], params: AgendaItemParams, response: { 200: Ok, ...errors } } }, async (req) => {
    await database.tx(async (s) => {
      const m = await editable(s, req.params.id, req.user!);
      const item = await itemOf(s, m.id, req.params.itemId);
      const positions = compactAfterRemoval(await repo.listAgenda(s, m.id), item.id);
      await repo.deleteItem(s, item.id);
      await repo.applyPositions(s, positions);
      await appendAudit(s, requestAudit(req, 'agenda.delete', 'agenda_item', item.id, { meetingId: m.id, title: item.title }));
    });
    return { ok: true as const };
  });

  app.put('/meetings/:id/agenda/order', { onRequest: manager, schema: { tags: ['agenda'], params: IdParam, body: AgendaOrder, response: { 200: Type.Array(AgendaItem), ...errors } } }, (req) =>
    database.tx(async (s) => {
      const m = await editable(s, req.params.id, req.user!);
      const positions = reorder(await repo.listAgenda(s, m.id), req.body.itemIds);
      await repo.applyPositions(s, positions);
      await appendAudit(s, requestAudit(req, 'agenda.reorder', 'meeting', m.id, { itemIds: req.body.itemIds }));
      return repo.listAgenda(s, m.id);
    }),
  );
};

export default agendaRoutes;
