/**
 * Floor requests (đăng ký phát biểu): a queue of requests on the current agenda
 * item and at most one speaker, who holds the floor for a limited time.
 *
 * Pure: `now` comes from the caller; expiry is computed (`nextExpiry`) and
 * applied by `expire`, so a restarted server reaches the same result. Every
 * request, withdrawal, grant and revocation comes out as an event carrying its
 * timestamp, which the service writes to the floor log for the minutes.
 */
import { CONFERENCE_LIMITS, type FloorEndReason, type FloorRequestView, type FloorView, type SpeakerView } from '@diemcau/shared';
import { fail, ok, type Transition } from './result.ts';

export interface FloorRequest {
  id: number;
  itemId: number;
  userId: number;
  bridgePointId: number | null;
  displayName: string;
  topic: string;
  requestedAt: number;
}

export interface Speaker extends FloorRequest {
  grantedAt: number;
  limitMs: number;
  grantedBy: number;
}

export interface FloorState {
  /** The agenda item requests are taken on; null when none is current. */
  itemId: number | null;
  queue: FloorRequest[];
  speaker: Speaker | null;
  nextRequestId: number;
}

export type FloorEvent =
  | { type: 'floor:requested'; request: FloorRequest; at: number }
  | { type: 'floor:withdrawn'; request: FloorRequest; reason: FloorEndReason; by: number | null; at: number }
  | { type: 'floor:reordered'; order: number[]; by: number; at: number }
  | { type: 'floor:granted'; speaker: Speaker; by: number; at: number }
  | { type: 'floor:revoked'; speaker: Speaker; reason: FloorEndReason; by: number | null; at: number };

type Step = Transition<FloorState, FloorEvent>;

export interface FloorActor {
  userId: number;
  chair: boolean;
}

export const initialFloor = (): FloorState => ({ itemId: null, queue: [], speaker: null, nextRequestId: 1 });

export const endsAt = (sp: Speaker): number => sp.grantedAt + sp.limitMs;

/** When the current speaker's time runs out, or null. */
export const nextExpiry = (s: FloorState): number | null => (s.speaker ? endsAt(s.speaker) : null);

/** A request as clients see it (internal fields stripped). */
export const requestView = ({ id, itemId, userId, bridgePointId, displayName, topic, requestedAt }: FloorRequest): FloorRequestView => ({
  id,
  itemId,
  userId,
  bridgePointId,
  displayName,
  topic,
  requestedAt,
});

export const speakerView = (sp: Speaker, now: number): SpeakerView => ({
  ...requestView(sp),
  grantedAt: sp.grantedAt,
  limitMs: sp.limitMs,
  grantedBy: sp.grantedBy,
  endsAt: endsAt(sp),
  remainingMs: Math.max(0, endsAt(sp) - now),
});

export const floorView = (s: FloorState, now: number): FloorView => ({
  itemId: s.itemId,
  queue: s.queue.map(requestView),
  speaker: s.speaker ? speakerView(s.speaker, now) : null,
  serverNow: now,
});

/** Clears the queue and the speaker, e.g. when the item changes or the meeting ends. */
function clear(s: FloorState, itemId: number | null, reason: FloorEndReason, now: number): Step {
  const events: FloorEvent[] = s.queue.map((request) => ({ type: 'floor:withdrawn', request, reason, by: null, at: now }));
  if (s.speaker) events.push({ type: 'floor:revoked', speaker: s.speaker, reason, by: null, at: now });
  return ok({ ...s, itemId, queue: [], speaker: null }, events);
}

/** Requests are taken on one item only: moving to another drops the old item's queue and speaker. */
export const setItem = (s: FloorState, itemId: number | null, now: number): Step =>
  s.itemId === itemId ? ok(s) : clear(s, itemId, 'item-changed', now);

export const closeFloor = (s: FloorState, now: number): Step => clear(s, null, 'meeting-ended', now);

export interface RequestInput {
  userId: number;
  bridgePointId: number | null;
  displayName: string;
  itemId?: number | undefined;
  topic?: string | undefined;
}

export function request(s: FloorState, input: RequestInput, now: number): Step {
  if (s.itemId === null) return fail('ILLEGAL_TRANSITION', 'No agenda item is open for floor requests');
  if (input.itemId !== undefined && input.itemId !== s.itemId) {
    return fail('CONFLICT', `Item ${input.itemId} is no longer the current item`);
  }
  const topic = (input.topic ?? '').trim();
  if (topic.length > CONFERENCE_LIMITS.topicMax) return fail('VALIDATION_FAILED', 'Topic is too long');
  if (s.queue.some((r) => r.userId === input.userId)) return fail('CONFLICT', 'You already asked for the floor');
  if (s.speaker?.userId === input.userId) return fail('CONFLICT', 'You already have the floor');
  if (s.queue.length >= CONFERENCE_LIMITS.queueMax) return fail('CONFLICT', 'The floor queue is full');
  const req: FloorRequest = {
    id: s.nextRequestId,
    itemId: s.itemId,
    userId: input.userId,
    bridgePointId: input.bridgePointId,
    displayName: input.displayName,
    topic,
    requestedAt: now,
  };
  return ok({ ...s, queue: [...s.queue, req], nextRequestId: s.nextRequestId + 1 }, [
    { type: 'floor:requested', request: req, at: now },
  ]);
}

export function withdraw(s: FloorState, requestId: number, actor: FloorActor, now: number): Step {
  const req = s.queue.find((r) => r.id === requestId);
  if (!req) return fail('NOT_FOUND', `Request ${requestId} is not in the queue`);
  if (req.userId !== actor.userId && !actor.chair) return fail('FORBIDDEN', 'You may only withdraw your own request');
  return ok({ ...s, queue: s.queue.filter((r) => r.id !== requestId) }, [
    { type: 'floor:withdrawn', request: req, reason: 'withdrawn', by: actor.userId, at: now },
  ]);
}

/** The chair sends the whole new order; anything but a permutation of the queue means their view is stale. */
export function reorder(s: FloorState, order: readonly number[], by: number, now: number): Step {
  if (new Set(order).size !== order.length) return fail('VALIDATION_FAILED', 'The order lists a request twice');
  const byId = new Map(s.queue.map((r) => [r.id, r]));
  if (order.length !== s.queue.length || order.some((id) => !byId.has(id))) {
    return fail('CONFLICT', 'The queue changed; reload it and reorder again');
  }
  const queue = order.map((id) => byId.get(id)!);
  if (queue.every((r, i) => r === s.queue[i])) return ok(s);
  return ok({ ...s, queue }, [{ type: 'floor:reordered', order: [...order], by, at: now }]);
}

export function grant(s: FloorState, requestId: number, limitSeconds: number, by: number, now: number): Step {
  const { speakingSecondsMin: min, speakingSecondsMax: max } = CONFERENCE_LIMITS;
  if (!Number.isInteger(limitSeconds) || limitSeconds < min || limitSeconds > max) {
    return fail('VALIDATION_FAILED', `Speaking time must be ${min} to ${max} seconds`);
  }
  if (s.speaker) return fail('ILLEGAL_TRANSITION', 'Someone has the floor; revoke it first');
  const req = s.queue.find((r) => r.id === requestId);
  if (!req) return fail('NOT_FOUND', `Request ${requestId} is not in the queue`);
  const speaker: Speaker = { ...req, grantedAt: now, limitMs: limitSeconds * 1000, grantedBy: by };
  return ok({ ...s, queue: s.queue.filter((r) => r.id !== requestId), speaker }, [
    { type: 'floor:granted', speaker, by, at: now },
  ]);
}

/** The chair takes the floor back, or the speaker yields it. */
export function revoke(s: FloorState, actor: FloorActor, now: number): Step {
  const sp = s.speaker;
  if (!sp) return fail('ILLEGAL_TRANSITION', 'Nobody has the floor');
  let reason: FloorEndReason;
  if (actor.chair) reason = 'chair';
  else if (actor.userId === sp.userId) reason = 'yielded';
  else return fail('FORBIDDEN', 'Only the chair or the speaker may end this speech');
  return ok({ ...s, speaker: null }, [{ type: 'floor:revoked', speaker: sp, reason, by: actor.userId, at: now }]);
}

/** Ends a speech whose time ran out. The log records when it was due, not when the server noticed. */
export function expire(s: FloorState, now: number): Step {
  const sp = s.speaker;
  if (!sp || now < endsAt(sp)) return ok(s);
  return ok({ ...s, speaker: null }, [{ type: 'floor:revoked', speaker: sp, reason: 'expired', by: null, at: endsAt(sp) }]);
}
