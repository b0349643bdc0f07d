import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AgendaItem, AgendaItemCreate, AgendaItemParams, AgendaItemUpdate, AgendaOrder, ErrorResponse, IdParam, Ok } from '@diemcau/shared';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { assertMember, getManagedMeeting, getMeetingOr404 } from '../meetings/meetings.access.ts';
import { assertDocumentsOfMeeting } from '../documents/documents.service.ts';
import { compactAfterRemoval, reorder } from './agenda-order.ts';
import * as repo from './agenda.repo.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** Agenda items of a meeting: CRUD and reorder. Editable until the meeting has ended. */
const agendaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app;
  const manager = app.requireUser('admin', 'secretariat');

  const editable = (meetingId: number, user: AuthUser) => {
    const m = getManagedMeeting(db, user, meetingId);
    if (m.status === 'ended' || m.status === 'archived') throw new AppError('CONFLICT', 409, 'The agenda of an ended meeting is part of the record');
    return m;
  };
  /** Documents linked or unlinked through the agenda editor are audited like the documents route does. */
  const auditAttached = (req: FastifyRequest, meetingId: number, agendaItemId: number, before: readonly number[], after: readonly number[]) => {
    for (const id of after.filter((d) => !before.includes(d))) req.audit('document.attach', 'document', id, { meetingId, agendaItemId, attached: true });
    for (const id of before.filter((d) => !after.includes(d))) req.audit('document.attach', 'document', id, { meetingId, agendaItemId, attached: false });
  };
  const itemOf = (meetingId: number, itemId: number) => {
    const item = repo.getItem(db, itemId);
    if (!item || item.meetingId !== meetingId) throw notFound('Agenda item');
    return item;
  };

  app.get('/meetings/:id/agenda', { onRequest: app.requireUser(), schema: { tags: ['agenda'], params: IdParam, response: { 200: Type.Array(AgendaItem), ...errors } } }, (req) => {
    assertMember(db, req.user!, getMeetingOr404(db, req.params.id));
    return repo.listAgenda(db, req.params.id);
  });

  app.post('/meetings/:id/agenda', { onRequest: manager, schema: { tags: ['agenda'], params: IdParam, body: AgendaItemCreate, response: { 201: AgendaItem, ...errors } } }, async (req, reply) => {
    const m = editable(req.params.id, req.user!);
    await app.database.run((s) => assertDocumentsOfMeeting(s, m.id, req.body.documentIds ?? []));
    const item = db.transaction(() => {
      const created = repo.insertItem(db, m.id, req.body);
      req.audit('agenda.create', 'agenda_item', created.id, { meetingId: m.id, title: created.title });
      auditAttached(req, m.id, created.id, [], created.documentIds);
      return created;
    });
    reply.status(201);
    return item;
  });

  app.patch('/meetings/:id/agenda/:itemId', { onRequest: manager, schema: { tags: ['agenda'], params: AgendaItemParams, body: AgendaItemUpdate, response: { 200: AgendaItem, ...errors } } }, async (req) => {
    const m = editable(req.params.id, req.user!);
    const before = itemOf(m.id, req.params.itemId);
    await app.database.run((s) => assertDocumentsOfMeeting(s, m.id, req.body.documentIds ?? []));
    return db.transaction(() => {
      req.audit('agenda.update', 'agenda_item', req.params.itemId, req.body);
      if (req.body.documentIds) auditAttached(req, m.id, before.id, before.documentIds, req.body.documentIds);
      return repo.updateItem(db, req.params.itemId, req.body);
    });
  });

  app.delete('/meetings/:id/agenda/:itemId', { onRequest: manager, schema: { tags: ['agenda'], params: AgendaItemParams, response: { 200: Ok, ...errors } } }, (req) => {
    const m = editable(req.params.id, req.user!);
    const item = itemOf(m.id, req.params.itemId);
    db.transaction(() => {
      const positions = compactAfterRemoval(repo.listAgenda(db, m.id), item.id);
      repo.deleteItem(db, item.id);
      repo.applyPositions(db, positions);
      req.audit('agenda.delete', 'agenda_item', item.id, { meetingId: m.id, title: item.title });
    });
    return { ok: true as const };
  });

  app.put('/meetings/:id/agenda/order', { onRequest: manager, schema: { tags: ['agenda'], params: IdParam, body: AgendaOrder, response: { 200: Type.Array(AgendaItem), ...errors } } }, (req) => {
    const m = editable(req.params.id, req.user!);
    return db.transaction(() => {
      const positions = reorder(repo.listAgenda(db, m.id), req.body.itemIds);
      repo.applyPositions(db, positions);
      req.audit('agenda.reorder', 'meeting', m.id, { itemIds: req.body.itemIds });
      return repo.listAgenda(db, m.id);
    });
  });
};

export default agendaRoutes;
