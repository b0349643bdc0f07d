import { describe, expect, it } from 'vitest';
import {
  endMeeting,
  extendTimer,
  initialAgenda,
  pauseTimer,
  setCurrentItem,
  startMeeting,
  startTimer,
  timerView,
  type AgendaState,
} from '../../../server/src/modules/conference/agenda.machine.ts';
import { code, must } from './transition.ts';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const items = [
  { id: 11, plannedMinutes: 10 },
  { id: 12, plannedMinutes: 5 },
];


const live = (): AgendaState => must(startMeeting(initialAgenda('scheduled'), items, T0)).state;

describe('meeting start / end', () => {
  it('starts a scheduled meeting on the first item', () => {
    const r = must(startMeeting(initialAgenda('scheduled'), items, T0));
    expect(r.state).toMatchObject({ status: 'live', startedAt: T0, currentItemId: 11, endedAt: null });
    expect(r.events.map((e) => e.type)).toEqual(['meeting:started', 'agenda:changed']);
  });

  it('starts with no current item when the agenda is empty', () => {
    expect(must(startMeeting(initialAgenda('scheduled'), [], T0)).state.currentItemId).toBeNull();
  });

  it.each(['draft', 'live', 'ended', 'archived'] as const)('refuses to start a %s meeting', (status) => {
    expect(code(startMeeting(initialAgenda(status), items, T0))).toBe('ILLEGAL_TRANSITION');
  });

  it('ends a live meeting and banks the running timer', () => {
    const s = must(startTimer(live(), undefined, T0 + 1000)).state;
    const r = must(endMeeting(s, T0 + 61_000));
    expect(r.state.status).toBe('ended');
    expect(r.state.endedAt).toBe(T0 + 61_000);
    expect(r.events.map((e) => e.type)).toEqual(['meeting:ended', 'agenda:changed', 'timer:changed']);
    const v = timerView(r.state, items, 11, T0 + 999_999);
    expect(v.status).toBe('paused');
    expect(v.elapsedMs).toBe(60_000);
  });

  it.each(['draft', 'scheduled', 'ended', 'archived'] as const)('refuses to end a %s meeting', (status) => {
    expect(code(endMeeting(initialAgenda(status), T0))).toBe('ILLEGAL_TRANSITION');
  });

  it('cannot be restarted once ended', () => {
    const ended = must(endMeeting(live(), T0 + 1)).state;
    expect(code(startMeeting(ended, items, T0 + 2))).toBe('ILLEGAL_TRANSITION');
  });
});

describe('current item', () => {
  it('moves between items and pauses the one left', () => {
    let s = must(startTimer(live(), 11, T0)).state;
    s = must(setCurrentItem(s, items, 12, T0 + 3 * MIN)).state;
    expect(s.currentItemId).toBe(12);
    expect(timerView(s, items, 11, T0 + 10 * MIN)).toMatchObject({ status: 'paused', elapsedMs: 3 * MIN });
    expect(timerView(s, items, 12, T0 + 10 * MIN)).toMatchObject({ status: 'idle', elapsedMs: 0, allottedMs: 5 * MIN });
    // Coming back resumes the banked time, not zero.
    s = must(setCurrentItem(s, items, 11, T0 + 4 * MIN)).state;
    s = must(startTimer(s, undefined, T0 + 5 * MIN)).state;
    expect(timerView(s, items, 11, T0 + 6 * MIN).elapsedMs).toBe(4 * MIN);
  });

  it('is a no-op for the item already current', () => {
    const s = live();
    const r = must(setCurrentItem(s, items, 11, T0 + 5));
    expect(r.state).toBe(s);
    expect(r.events).toEqual([]);
  });

  it('rejects an item of another agenda', () => {
    expect(code(setCurrentItem(live(), items, 99, T0))).toBe('NOT_FOUND');
  });

  it('requires a live meeting', () => {
    expect(code(setCurrentItem(initialAgenda('scheduled'), items, 11, T0))).toBe('MEETING_NOT_LIVE');
    const ended = must(endMeeting(live(), T0 + 1)).state;
    expect(code(setCurrentItem(ended, items, 12, T0 + 2))).toBe('MEETING_NOT_LIVE');
  });
});

describe('item timer', () => {
  it('counts while running and stops while paused', () => {
    let s = must(startTimer(live(), undefined, T0)).state;
    expect(timerView(s, items, 11, T0 + 90_000)).toMatchObject({
      status: 'running',
      runningSince: T0,
      elapsedMs: 90_000,
      remainingMs: 10 * MIN - 90_000,
      overtime: false,
      overtimeMs: 0,
      serverNow: T0 + 90_000,
    });
    s = must(pauseTimer(s, undefined, T0 + 2 * MIN)).state;
    // Time passing while paused changes nothing.
    expect(timerView(s, items, 11, T0 + 60 * MIN)).toMatchObject({ status: 'paused', elapsedMs: 2 * MIN, runningSince: null });
    s = must(startTimer(s, undefined, T0 + 30 * MIN)).state;
    expect(timerView(s, items, 11, T0 + 31 * MIN).elapsedMs).toBe(3 * MIN);
  });

  it('goes over time with a negative remainder', () => {
    const s = must(startTimer(live(), undefined, T0)).state;
    expect(timerView(s, items, 11, T0 + 12 * MIN)).toMatchObject({
      elapsedMs: 12 * MIN,
      remainingMs: -2 * MIN,
      overtime: true,
      overtimeMs: 2 * MIN,
    });
    // Exactly on time is not over time.
    expect(timerView(s, items, 11, T0 + 10 * MIN)).toMatchObject({ remainingMs: 0, overtime: false });
  });

  it('extends the allotted time, bringing an over-time item back in time', () => {
    let s = must(startTimer(live(), undefined, T0)).state;
    s = must(extendTimer(s, undefined, 5)).state;
    s = must(extendTimer(s, 11, 1)).state;
    expect(timerView(s, items, 11, T0 + 12 * MIN)).toMatchObject({
      allottedMs: 16 * MIN,
      extendedMs: 6 * MIN,
      remainingMs: 4 * MIN,
      overtime: false,
    });
  });

  it('extends an idle or paused timer too', () => {
    const s = must(extendTimer(live(), undefined, 2)).state;
    expect(timerView(s, items, 11, T0)).toMatchObject({ status: 'idle', allottedMs: 12 * MIN });
  });

  it('never runs backwards when the clock steps back', () => {
    const s = must(startTimer(live(), undefined, T0 + 10_000)).state;
    expect(timerView(s, items, 11, T0).elapsedMs).toBe(0);
  });

  it('rejects illegal timer moves', () => {
    const running = must(startTimer(live(), undefined, T0)).state;
    expect(code(startTimer(running, undefined, T0 + 1))).toBe('ILLEGAL_TRANSITION');
    expect(code(pauseTimer(live(), undefined, T0))).toBe('ILLEGAL_TRANSITION');
    expect(code(startTimer(initialAgenda('scheduled'), undefined, T0))).toBe('MEETING_NOT_LIVE');
    expect(code(startTimer(running, 12, T0))).toBe('CONFLICT');
    expect(code(pauseTimer(running, 12, T0))).toBe('CONFLICT');
    expect(code(extendTimer(running, undefined, 0))).toBe('VALIDATION_FAILED');
    expect(code(extendTimer(running, undefined, 121))).toBe('VALIDATION_FAILED');
    expect(code(extendTimer(running, undefined, 1.5))).toBe('VALIDATION_FAILED');
    const empty = must(startMeeting(initialAgenda('scheduled'), [], T0)).state;
    expect(code(startTimer(empty, undefined, T0))).toBe('ILLEGAL_TRANSITION');
  });

  it('does not mutate the state it was given', () => {
    const s = live();
    const frozen = JSON.stringify(s);
    must(startTimer(s, undefined, T0));
    must(extendTimer(s, undefined, 3));
    must(setCurrentItem(s, items, 12, T0));
    expect(JSON.stringify(s)).toBe(frozen);
  });
});
