/**
 * Agenda control: meeting start/end, the current item and per-item timers.
 *
 * Pure: every step takes `now` (epoch ms) from the caller. A timer is stored as
 * banked time plus the instant its current run began, so it keeps counting
 * correctly across restarts without anything ticking on the server.
 */
import { canTransitionMeeting, type MeetingStatus, type TimerStatus, type TimerView } from '@diemcau/shared';
import { fail, ok, type Transition } from './result.ts';

export interface AgendaItemRef {
  id: number;
  plannedMinutes: number;
}

export interface ItemTimer {
  itemId: number;
  status: TimerStatus;
  accumulatedMs: number;
  runningSince: number | null;
  extendedMs: number;
}

export interface AgendaState {
  status: MeetingStatus;
  startedAt: number | null;
  endedAt: number | null;
  currentItemId: number | null;
  /** One per item that was ever current, so returning to an item resumes its time. */
  timers: ItemTimer[];
}

export type AgendaEvent =
  | { type: 'meeting:started'; at: number }
  | { type: 'meeting:ended'; at: number }
  | { type: 'agenda:changed' }
  | { type: 'timer:changed'; itemId: number };

type Step = Transition<AgendaState, AgendaEvent>;

const MINUTE = 60_000;
export const EXTEND_MINUTES_MAX = 120;

export const initialAgenda = (status: MeetingStatus): AgendaState => ({
  status,
  startedAt: null,
  endedAt: null,
  currentItemId: null,
  timers: [],
});

/** Keeps the agenda's idea of the meeting status in line with the meetings row. */
export const withStatus = (s: AgendaState, status: MeetingStatus): AgendaState =>
  s.status === status ? s : { ...s, status };

const blankTimer = (itemId: number): ItemTimer => ({
  itemId,
  status: 'idle',
  accumulatedMs: 0,
  runningSince: null,
  extendedMs: 0,
});

export const timerOf = (s: AgendaState, itemId: number): ItemTimer =>
  s.timers.find((t) => t.itemId === itemId) ?? blankTimer(itemId);

const putTimer = (s: AgendaState, t: ItemTimer): AgendaState => ({
  ...s,
  timers: [...s.timers.filter((x) => x.itemId !== t.itemId), t].sort((a, b) => a.itemId - b.itemId),
});

/** Elapsed time; a clock that stepped backwards never makes it shrink below what was banked. */
export const elapsedMs = (t: ItemTimer, now: number): number =>
  t.accumulatedMs + (t.status === 'running' && t.runningSince !== null ? Math.max(0, now - t.runningSince) : 0);

/** Banks the current run and stops counting. No-op unless running. */
const pauseAt = (t: ItemTimer, now: number): ItemTimer =>
  t.status === 'running' ? { ...t, status: 'paused', accumulatedMs: elapsedMs(t, now), runningSince: null } : t;

export function timerView(s: AgendaState, items: readonly AgendaItemRef[], itemId: number, now: number): TimerView {
  const t = timerOf(s, itemId);
  const planned = items.find((i) => i.id === itemId)?.plannedMinutes ?? 0;
  const allottedMs = planned * MINUTE + t.extendedMs;
  const elapsed = elapsedMs(t, now);
  const remainingMs = allottedMs - elapsed;
  return {
    itemId,
    status: t.status,
    allottedMs,
    extendedMs: t.extendedMs,
    accumulatedMs: t.accumulatedMs,
    runningSince: t.runningSince,
    elapsedMs: elapsed,
    remainingMs,
    overtime: remainingMs < 0,
    overtimeMs: Math.max(0, -remainingMs),
    serverNow: now,
  };
}

const requireLive = (s: AgendaState): Step | null =>
  s.status === 'live' ? null : fail('MEETING_NOT_LIVE', `The meeting is ${s.status}, not live`);

export function startMeeting(s: AgendaState, items: readonly AgendaItemRef[], now: number): Step {
  if (!canTransitionMeeting(s.status, 'live')) return fail('ILLEGAL_TRANSITION', `A ${s.status} meeting cannot start`);
  const first = items[0]?.id ?? null;
  return ok({ ...s, status: 'live', startedAt: now, endedAt: null, currentItemId: s.currentItemId ?? first }, [
    { type: 'meeting:started', at: now },
    { type: 'agenda:changed' },
  ]);
}

export function endMeeting(s: AgendaState, now: number): Step {
  if (!canTransitionMeeting(s.status, 'ended')) return fail('ILLEGAL_TRANSITION', `A ${s.status} meeting cannot end`);
  const events: AgendaEvent[] = [{ type: 'meeting:ended', at: now }, { type: 'agenda:changed' }];
  let next: AgendaState = { ...s, status: 'ended', endedAt: now };
  if (s.currentItemId !== null) {
    const t = timerOf(s, s.currentItemId);
    if (t.status === 'running') {
      next = putTimer(next, pauseAt(t, now));
      events.push({ type: 'timer:changed', itemId: t.itemId });
    }
  }
  return ok(next, events);
}

export function setCurrentItem(s: AgendaState, items: readonly AgendaItemRef[], itemId: number, now: number): Step {
  const notLive = requireLive(s);
  if (notLive) return notLive;
  if (!items.some((i) => i.id === itemId)) return fail('NOT_FOUND', `Agenda item ${itemId} is not on this agenda`);
  if (s.currentItemId === itemId) return ok(s);
  let next: AgendaState = { ...s, currentItemId: itemId };
  // Only one item's clock runs at a time: leaving an item banks its time.
  if (s.currentItemId !== null) next = putTimer(next, pauseAt(timerOf(s, s.currentItemId), now));
  return ok(next, [{ type: 'agenda:changed' }]);
}

/** Resolves the item a timer command acts on: the current one, which a given id must match. */
function currentTimer(s: AgendaState, itemId: number | undefined): ItemTimer | Step {
  const notLive = requireLive(s);
  if (notLive) return notLive;
  if (s.currentItemId === null) return fail('ILLEGAL_TRANSITION', 'No agenda item is current');
  if (itemId !== undefined && itemId !== s.currentItemId) {
    return fail('CONFLICT', `Item ${itemId} is no longer the current item`);
  }
  return timerOf(s, s.currentItemId);
}

const isStep = (v: ItemTimer | Step): v is Step => 'ok' in v;

export function startTimer(s: AgendaState, itemId: number | undefined, now: number): Step {
  const t = currentTimer(s, itemId);
  if (isStep(t)) return t;
  if (t.status === 'running') return fail('ILLEGAL_TRANSITION', 'The timer is already running');
  return ok(putTimer(s, { ...t, status: 'running', runningSince: now }), [{ type: 'timer:changed', itemId: t.itemId }]);
}

export function pauseTimer(s: AgendaState, itemId: number | undefined, now: number): Step {
  const t = currentTimer(s, itemId);
  if (isStep(t)) return t;
  if (t.status !== 'running') return fail('ILLEGAL_TRANSITION', 'The timer is not running');
  return ok(putTimer(s, pauseAt(t, now)), [{ type: 'timer:changed', itemId: t.itemId }]);
}

export function extendTimer(s: AgendaState, itemId: number | undefined, minutes: number): Step {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > EXTEND_MINUTES_MAX) {
    return fail('VALIDATION_FAILED', `Extend by 1 to ${EXTEND_MINUTES_MAX} minutes`);
  }
  const t = currentTimer(s, itemId);
  if (isStep(t)) return t;
  return ok(putTimer(s, { ...t, extendedMs: t.extendedMs + minutes * MINUTE }), [
    { type: 'timer:changed', itemId: t.itemId },
  ]);
}
