import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ErrorResponse, IdParam, InviteBridgePoints, InviteDelegates, Invitation, Meeting, MeetingCreate,
  MeetingMemberParams, MeetingTransition, MeetingUpdate, Ok, canTransitionMeeting,
} from '@diemcau/shared';
import { eq, inArray, and } from 'drizzle-orm';
import { bridgePoints, units, users } from '../../db/schema.ts';
import { AppError, badRequest, notFound } from '../../lib/app-error.ts';
import { assertMember, getManagedMeeting, getMeetingOr404, provinceOfUnit } from './meetings.access.ts';
import * as repo from './meetings.repo.ts';
import type { AuthUser } from '../auth/auth.service.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const EDITABLE = new Set(['draft', 'scheduled']);

/** Meetings CRUD, status transitions and invitations. */
const meetingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app;
  const manager = app.requireUser('admin', 'secretariat');
  const anyone = app.requireUser();

  const loadManaged = (id: number, user: AuthUser) => getManagedMeeting(db, user, id);
  const assertTimes = (startsAt: string, endsAt: string) => {
    if (Date.parse(endsAt) <= Date.parse(startsAt)) throw badRequest('endsAt must be after startsAt');
  };

  app.get('/meetings', { onRequest: anyone, schema: { tags: ['meetings'], response: { 200: Type.Array(Meeting), ...errors } } }, (req) =>
    repo.listMeetings(db, req.user!),
  );

  app.post('/meetings', { onRequest: manager, schema: { tags: ['meetings'], body: MeetingCreate, response: { 201: Meeting, ...errors } } }, (req, reply) => {
    const user = req.user!;
    const province = provinceOfUnit(db, req.body.chairUnitId);
    if (province == null) throw notFound('Chairing unit');
    if (user.role !== 'admin' && province !== user.provinceId) throw new AppError('FORBIDDEN', 403, 'The chairing unit belongs to another province');
    assertTimes(req.body.startsAt, req.body.endsAt);
    const m = db.transaction(() => {
      const created = repo.insertMeeting(db, req.body, user.id);
      req.audit('meeting.create', 'meeting', created.id, { title: created.title });
      return created;
    });
    reply.status(201);
    return m;
  });

  app.get('/meetings/:id', { onRequest: anyone, schema: { tags: ['meetings'], params: IdParam, response: { 200: Meeting, ...errors } } }, (req) => {
    const m = getMeetingOr404(db, req.params.id);
    assertMember(db, req.user!, m);
    return repo.toMeeting(m);
  });

  app.patch('/meetings/:id', { onRequest: manager, schema: { tags: ['meetings'], params: IdParam, body: MeetingUpdate, response: { 200: Meeting, ...errors } } }, (req) => {
    const m = loadManaged(req.params.id, req.user!);
    if (!EDITABLE.has(m.status)) throw new AppError('CONFLICT', 409, `A ${m.status} meeting can no longer be edited`);
    assertTimes(req.body.startsAt ?? m.startsAt, req.body.endsAt ?? m.endsAt);
    return db.transaction(() => {
      req.audit('meeting.update', 'meeting', m.id, req.body);
      return repo.updateMeeting(db, m.id, req.body);
    });
  });

  app.delete('/meetings/:id', { onRequest: manager, schema: { tags: ['meetings'], params: IdParam, response: { 200: Ok, ...errors } } }, (req) => {
    const m = loadManaged(req.params.id, req.user!);
    if (m.status !== 'draft') throw new AppError('CONFLICT', 409, 'Only a draft meeting can be deleted; archive it instead');
    db.transaction(() => {
      req.audit('meeting.delete', 'meeting', m.id, { title: m.title });
      repo.deleteMeeting(db, m.id);
    });
    return { ok: true as const };
  });

  app.post('/meetings/:id/transition', { onRequest: manager, schema: { tags: ['meetings'], params: IdParam, body: MeetingTransition, response: { 200: Meeting, ...errors } } }, (req) => {
    const m = loadManaged(req.params.id, req.user!);
    if (!canTransitionMeeting(m.status, req.body.to)) {
      throw new AppError('ILLEGAL_TRANSITION', 409, `A meeting cannot go from ${m.status} to ${req.body.to}`);
    }
    // The live room, when there is one, vetoes ending with work open and hears of the change at once.
    const live = app.hasDecorator('conference') ? app.conference : null;
    if (req.body.to === 'ended') live?.assertCanEnd(m.id);
    const updated = db.transaction(() => {
      req.audit('meeting.transition', 'meeting', m.id, { from: m.status, to: req.body.to });
      return repo.updateMeeting(db, m.id, { status: req.body.to });
    });
    live?.statusChanged(m.id);
    return updated;
  });

  // ---- invitations ----------------------------------------------------------
  app.get('/meetings/:id/invitations', { onRequest: anyone, schema: { tags: ['invitations'], params: IdParam, response: { 200: Invitation, ...errors } } }, (req) => {
    const m = getMeetingOr404(db, req.params.id);
    assertMember(db, req.user!, m);
    return repo.getInvitation(db, m.id);
  });

  app.post('/meetings/:id/bridge-points', { onRequest: manager, schema: { tags: ['invitations'], params: IdParam, body: InviteBridgePoints, response: { 200: Invitation, ...errors } } }, (req) => {
    const user = req.user!;
    const m = loadManaged(req.params.id, user);
    const scope = user.role === 'admin' ? provinceOfUnit(db, m.chairUnitId) : user.provinceId;
    const direct = req.body.bridgePointIds ?? [];
    if (!direct.length && !req.body.unitIds?.length) throw badRequest('Give bridgePointIds or unitIds');
    if (direct.length) {
      const found = db
        .select({ id: bridgePoints.id })
        .from(bridgePoints)
        .innerJoin(units, eq(units.id, bridgePoints.unitId))
        .where(and(inArray(bridgePoints.id, direct), eq(units.provinceId, scope ?? -1)))
        .all();
      if (found.length !== new Set(direct).size) throw notFound('Bridge point (in this province)');
    }
    const ids = [...new Set([...direct, ...repo.bridgePointsUnder(db, req.body.unitIds ?? [], scope)])];
    return db.transaction(() => {
      repo.inviteBridgePoints(db, m.id, ids);
      req.audit('meeting.invite_bridge_points', 'meeting', m.id, { bridgePointIds: ids });
      return repo.getInvitation(db, m.id);
    });
  });

  app.delete('/meetings/:id/bridge-points/:memberId', { onRequest: manager, schema: { tags: ['invitations'], params: MeetingMemberParams, response: { 200: Invitation, ...errors } } }, (req) => {
    const m = loadManaged(req.params.id, req.user!);
    return db.transaction(() => {
      if (!repo.uninviteBridgePoint(db, m.id, req.params.memberId)) throw notFound('Invited bridge point');
      req.audit('meeting.uninvite_bridge_point', 'meeting', m.id, { bridgePointId: req.params.memberId });
      return repo.getInvitation(db, m.id);
    });
  });

  app.post('/meetings/:id/delegates', { onRequest: manager, schema: { tags: ['invitations'], params: IdParam, body: InviteDelegates, response: { 200: Invitation, ...errors } } }, (req) => {
    const user = req.user!;
    const m = loadManaged(req.params.id, user);
    const scope = provinceOfUnit(db, m.chairUnitId);
    const ids = [...new Set(req.body.userIds)];
    const found = db
      .select({ id: users.id })
      .from(users)
      .innerJoin(units, eq(units.id, users.unitId))
      .where(and(inArray(users.id, ids), eq(users.role, 'delegate'), eq(units.provinceId, scope ?? -1)))
      .all();
    if (found.length !== ids.length) throw notFound('Delegate (in this province)');
    return db.transaction(() => {
      // No bridgePointId: each at their home hall; null: on their own device.
      repo.inviteDelegates(db, m.id, ids, req.body.bridgePointId);
      req.audit('meeting.invite_delegates', 'meeting', m.id, { userIds: ids });
      return repo.getInvitation(db, m.id);
    });
  });

  app.delete('/meetings/:id/delegates/:memberId', { onRequest: manager, schema: { tags: ['invitations'], params: MeetingMemberParams, response: { 200: Invitation, ...errors } } }, (req) => {
    const m = loadManaged(req.params.id, req.user!);
    return db.transaction(() => {
      if (!repo.uninviteDelegate(db, m.id, req.params.memberId)) throw notFound('Invited delegate');
      req.audit('meeting.uninvite_delegate', 'meeting', m.id, { userId: req.params.memberId });
      return repo.getInvitation(db, m.id);
    });
  });
};

export default meetingsRoutes;
