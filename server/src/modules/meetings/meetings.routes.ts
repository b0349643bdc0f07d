import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ErrorResponse, IdParam, InviteBridgePoints, InviteDelegates, Invitation, Meeting, MeetingCreate,
  MeetingMemberParams, MeetingTransition, MeetingUpdate, Ok, canTransitionMeeting,
} from '@diemcau/shared';
import { AppError, badRequest, notFound } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import { assertMember, getManagedMeeting, getMeetingOr404, provinceOfUnit } from './meetings.access.ts';
import * as repo from './meetings.repo.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const EDITABLE = new Set(['draft', 'scheduled']);

/** Meetings CRUD, status transitions and invitations. */
const meetingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app;
  const manager = app.requireUser('admin', 'secretariat');
  const anyone = app.requireUser();

  const assertTimes = (startsAt: string, endsAt: string) => {
    if (Date.parse(endsAt) <= Date.parse(startsAt)) throw badRequest('endsAt must be after startsAt');
  };

  app.get('/meetings', { onRequest: anyone, schema: { tags: ['meetings'], response: { 200: Type.Array(Meeting), ...errors } } }, (req) =>
    database.run((s) => repo.listMeetings(s, req.user!)),
  );

  app.post('/meetings', { onRequest: manager, schema: { tags: ['meetings'], body: MeetingCreate, response: { 201: Meeting, ...errors } } }, async (req, reply) => {
    const user = req.user!;
    const m = await database.tx(async (s) => {
      const province = await provinceOfUnit(s, req.body.chairUnitId);
      if (province == null) throw notFound('Chairing unit');
      if (user.role !== 'admin' && province !== user.provinceId) throw new AppError('FORBIDDEN', 403, 'The chairing unit belongs to another province');
      assertTimes(req.body.startsAt, req.body.endsAt);
      const created = await repo.insertMeeting(s, req.body, user.id);
      await appendAudit(s, requestAudit(req, 'meeting.create', 'meeting', created.id, { title: created.title }));
      return created;
    });
    reply.status(201);
    return m;
  });

  app.get('/meetings/:id', { onRequest: anyone, schema: { tags: ['meetings'], params: IdParam, response: { 200: Meeting, ...errors } } }, (req) =>
    database.run(async (s) => {
      const m = await getMeetingOr404(s, req.params.id);
      await assertMember(s, req.user!, m);
      return repo.toMeeting(m);
    }),
  );

  app.patch('/meetings/:id', { onRequest: manager, schema: { tags: ['meetings'], params: IdParam, body: MeetingUpdate, response: { 200: Meeting, ...errors } } }, (req) =>
    database.tx(async (s) => {
      const m = await getManagedMeeting(s, req.user!, req.params.id);
      if (!EDITABLE.has(m.status)) throw new AppError('CONFLICT', 409, `A ${m.status} meeting can no longer be edited`);
      assertTimes(req.body.startsAt ?? m.startsAt, req.body.endsAt ?? m.endsAt);
      await appendAudit(s, requestAudit(req, 'meeting.update', 'meeting', m.id, req.body));
      return repo.updateMeeting(s, m.id, req.body);
    }),
  );

  app.delete('/meetings/:id', { onRequest: manager, schema: { tags: ['meetings'], params: IdParam, response: { 200: Ok, ...errors } } }, async (req) => {
    await database.tx(async (s) => {
      const m = await getManagedMeeting(s, req.user!, req.params.id);
      if (m.status !== 'draft') throw new AppError('CONFLICT', 409, 'Only a draft meeting can be deleted; archive it instead');
      await appendAudit(s, requestAudit(req, 'meeting.delete', 'meeting', m.id, { title: m.title }));
      await repo.deleteMeeting(s, m.id);
    });
    return { ok: true as const };
  });

  app.post('/meetings/:id/transition', { onRequest: manager, schema: { tags: ['meetings'], params: IdParam, body: MeetingTransition, response: { 200: Meeting, ...errors } } }, async (req) => {
    // The live room, when there is one, vetoes ending with work open and hears of the change at once.
    const live = app.hasDecorator('conference') ? app.conference : null;
    const m = await database.run((s) => getManagedMeeting(s, req.user!, req.params.id));
    if (!canTransitionMeeting(m.status, req.body.to)) {
      throw new AppError('ILLEGAL_TRANSITION', 409, `A meeting cannot go from ${m.status} to ${req.body.to}`);
    }
    // Outside the transaction: a guard reads through its own module, and a transaction may await only its own queries.
    if (req.body.to === 'ended') live?.assertCanEnd(m.id);
    const updated = await database.tx(async (s) => {
      await appendAudit(s, requestAudit(req, 'meeting.transition', 'meeting', m.id, { from: m.status, to: req.body.to }));
      return repo.updateMeeting(s, m.id, { status: req.body.to });
    });
    live?.statusChanged(m.id);
    return updated;
  });

  // ---- invitations ----------------------------------------------------------
  app.get('/meetings/:id/invitations', { onRequest: anyone, schema: { tags: ['invitations'], params: IdParam, response: { 200: Invitation, ...errors } } }, (req) =>
    database.run(async (s) => {
      const m = await getMeetingOr404(s, req.params.id);
      await assertMember(s, req.user!, m);
      return repo.getInvitation(s, m.id);
    }),
  );

  app.post('/meetings/:id/bridge-points', { onRequest: manager, schema: { tags: ['invitations'], params: IdParam, body: InviteBridgePoints, response: { 200: Invitation, ...errors } } }, (req) =>
    database.tx(async (s) => {
      const user = req.user!;
      const m = await getManagedMeeting(s, user, req.params.id);
      const scope = user.role === 'admin' ? await provinceOfUnit(s, m.chairUnitId) : user.provinceId;
      const direct = [...new Set(req.body.bridgePointIds ?? [])];
      if (!direct.length && !req.body.unitIds?.length) throw badRequest('Give bridgePointIds or unitIds');
      if (direct.length && (await repo.bridgePointsInProvince(s, direct, scope)).length !== direct.length) throw notFound('Bridge point (in this province)');
      const ids = [...new Set([...direct, ...(await repo.bridgePointsUnder(s, req.body.unitIds ?? [], scope))])];
      await repo.inviteBridgePoints(s, m.id, ids);
      await appendAudit(s, requestAudit(req, 'meeting.invite_bridge_points', 'meeting', m.id, { bridgePointIds: ids }));
      return repo.getInvitation(s, m.id);
    }),
  );

  app.delete('/meetings/:id/bridge-points/:memberId', { onRequest: manager, schema: { tags: ['invitations'], params: MeetingMemberParams, response: { 200: Invitation, ...errors } } }, (req) =>
    database.tx(async (s) => {
      const m = await getManagedMeeting(s, req.user!, req.params.id);
      if (!(await repo.uninviteBridgePoint(s, m.id, req.params.memberId))) throw notFound('Invited bridge point');
      await appendAudit(s, requestAudit(req, 'meeting.uninvite_bridge_point', 'meeting', m.id, { bridgePointId: req.params.memberId }));
      return repo.getInvitation(s, m.id);
    }),
  );

  app.post('/meetings/:id/delegates', { onRequest: manager, schema: { tags: ['invitations'], params: IdParam, body: InviteDelegates, response: { 200: Invitation, ...errors } } }, (req) =>
    database.tx(async (s) => {
      const m = await getManagedMeeting(s, req.user!, req.params.id);
      const ids = [...new Set(req.body.userIds)];
      if ((await repo.delegatesInProvince(s, ids, await provinceOfUnit(s, m.chairUnitId))).length !== ids.length) throw notFound('Delegate (in this province)');
      // No bridgePointId: each at their home hall; null: on their own device.
      await repo.inviteDelegates(s, m.id, ids, req.body.bridgePointId);
      await appendAudit(s, requestAudit(req, 'meeting.invite_delegates', 'meeting', m.id, { userIds: ids }));
      return repo.getInvitation(s, m.id);
    }),
  );

  app.delete('/meetings/:id/delegates/:memberId', { onRequest: manager, schema: { tags: ['invitations'], params: MeetingMemberParams, response: { 200: Invitation, ...errors } } }, (req) =>
    database.tx(async (s) => {
      const m = await getManagedMeeting(s, req.user!, req.params.id);
      if (!(await repo.uninviteDelegate(s, m.id, req.params.memberId))) throw notFound('Invited delegate');
      await appendAudit(s, requestAudit(req, 'meeting.uninvite_delegate', 'meeting', m.id, { userId: req.params.memberId }));
      return repo.getInvitation(s, m.id);
    }),
  );
};

export default meetingsRoutes;
