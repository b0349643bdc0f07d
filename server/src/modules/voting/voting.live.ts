/**
 * In-memory mirror of the open polls: who may vote, who has, and (open
 * ballots only) the running tally, plus the countdown and push timers.
 * Rebuilt from the database on start; never the source of truth.
 *
 * Turnout pushes are coalesced, so 2,000 delegates voting within seconds cause
 * a few broadcasts, not 2,000 × 2,000 messages:
 * - the secretariat and the bridge screens: the first ballot after a quiet
 *   spell goes out at once, later ones at most every `intervalMs`;
 * - the phones: once a second (MEMBER_SLOWDOWN × `intervalMs`), always a
 *   second after the ballot that started it. A phone shows "1,234/2,000
 *   voted"; writing it to 2,000 phones cost the server more than the ballots
 *   did, and a push at the first ballot of a burst landed in the middle of
 *   the burst and delayed every ack behind it by tens of ms.
 */
import type { OptionCount, Turnout } from '@diemcau/shared';
import type { Realtime } from '../../plugins/realtime.ts';
import { msUntilAutoClose, type PollClock } from './voting.machine.ts';
import { computeTurnout, type EligibleVoter } from './voting.result.ts';
import type { HallTally } from './voting.hall.ts';
import type { PollSpec } from './voting.rules.ts';
import type { PollRow } from './voting.schema.ts';
import { clockOf } from './voting.views.ts';

export interface LivePoll {
  id: number;
  meetingId: number;
  spec: PollSpec;
  clock: PollClock;
  eligible: EligibleVoter[];
  eligibleIds: Set<number>;
  /** Where each eligible delegate sits (null: own device), for the hall-count guard of every cast. */
  seats: Map<number, number | null>;
  voted: Set<number>;
  /** Running tally; null for secret polls, which have no tally until they close. */
  counts: Map<string, number> | null;
  /** Standing hall counts by bridge point (open polls). */
  halls: Map<number, HallTally>;
  closeTimer: NodeJS.Timeout | null;
  /** Coalesced pushes: to the secretariat and bridge screens, and to everyone else. */
  pushes: { staff: Coalesced; members: Coalesced };
}

interface Coalesced {
  timer: NodeJS.Timeout | null;
  last: number;
}
const coalesced = (): Coalesced => ({ timer: null, last: -Infinity });

/** Phones hear turnout this many times less often than the secretariat. */
const MEMBER_SLOWDOWN = 4;

// Node timers cannot wait longer than this; longer countdowns re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LivePolls {
  readonly #polls = new Map<number, LivePoll>();
  readonly #emit: Pick<Realtime, 'toMeeting' | 'toMeetingByAudience' | 'toManagers'>;
  readonly #intervalMs: number;
  readonly #onDue: (pollId: number) => void;
  readonly #now: () => number;

  constructor(emit: Pick<Realtime, 'toMeeting' | 'toMeetingByAudience' | 'toManagers'>, intervalMs: number, onDue: (pollId: number) => void, now: () => number) {
    this.#emit = emit;
    this.#intervalMs = intervalMs;
    this.#onDue = onDue;
    this.#now = now;
  }

  /** Mirrors an open poll; `ballots` are the stored open ballots (null for secret polls). */
  add(row: PollRow, voted: Set<number>, ballots: readonly (readonly string[])[] | null, halls: readonly HallTally[] = []): LivePoll {
    this.remove(row.id);
    const eligible = row.eligible ?? [];
    let counts: Map<string, number> | null = null;
    if (ballots) {
      counts = new Map(row.spec.options.map((o) => [o.id, 0]));
      for (const b of ballots) for (const c of b) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const live: LivePoll = {
      id: row.id,
      meetingId: row.meetingId,
      spec: row.spec,
      clock: clockOf(row),
      eligible,
      eligibleIds: new Set(eligible.map((v) => v.userId)),
      seats: new Map(eligible.map((v) => [v.userId, v.bridgePointId])),
      voted,
      counts,
      halls: new Map(halls.map((h) => [h.bridgePointId, h])),
      closeTimer: null,
      pushes: { staff: coalesced(), members: coalesced() },
    };
    this.#polls.set(row.id, live);
    this.schedule(live);
    return live;
  }

  get = (pollId: number): LivePoll | undefined => this.#polls.get(pollId);

  ofMeeting(meetingId: number): LivePoll | undefined {
    for (const p of this.#polls.values()) if (p.meetingId === meetingId) return p;
    return undefined;
  }

  /** Arms the countdown from the stored deadline, so it also holds after a restart. */
  schedule(live: LivePoll): void {
    if (live.closeTimer) clearTimeout(live.closeTimer);
    live.closeTimer = null;
    const ms = msUntilAutoClose(live.clock, this.#now());
    if (ms === null) return;
    live.closeTimer = setTimeout(() => {
      live.closeTimer = null;
      this.#onDue(live.id);
    }, Math.min(ms, MAX_TIMER_MS));
  }

  /** Updates the mirror after a committed ballot and schedules the pushes. */
  recordBallot(live: LivePoll, userId: number, ballot: readonly string[], replaced: readonly string[] | null): void {
    live.voted.add(userId);
    if (live.counts) {
      for (const c of replaced ?? []) live.counts.set(c, (live.counts.get(c) ?? 1) - 1);
      for (const c of ballot) live.counts.set(c, (live.counts.get(c) ?? 0) + 1);
    }
    this.#push(live);
  }

  /** Updates the mirror after a committed hall count and schedules the pushes. */
  recordHall(live: LivePoll, hall: HallTally): void {
    live.halls.set(hall.bridgePointId, hall);
    this.#push(live);
  }

  /** Coalesced turnout (everyone, phones less often) and tally (secretariat) pushes. */
  #push(live: LivePoll): void {
    this.#coalesce(live, live.pushes.staff, this.#intervalMs, false, () => {
      const turnout = this.turnout(live);
      this.#emit.toMeetingByAudience(live.meetingId).emitShaped('poll:turnout-changed', turnout, { field: null, only: 'staff' });
      const counts = this.tally(live);
      if (counts) this.#emit.toManagers(live.meetingId).emit('poll:tally-changed', { pollId: live.id, voted: turnout.voted, counts });
    });
    this.#coalesce(live, live.pushes.members, this.#intervalMs * MEMBER_SLOWDOWN, true, () => {
      const turnout = this.turnout(live);
      this.#emit.toMeetingByAudience(live.meetingId).emitShaped('poll:turnout-changed', turnout, { field: null, only: 'members' });
    });
  }

  /**
   * Runs `send` once `intervalMs` has passed since its last run: now after a quiet spell, unless
   * `trailing`, which always waits `intervalMs` from the first change.
   */
  #coalesce(live: LivePoll, c: Coalesced, intervalMs: number, trailing: boolean, send: () => void): void {
    if (c.timer) return;
    if (trailing) c.last = Math.max(c.last, performance.now());
    c.timer = setTimeout(() => {
      c.timer = null;
      c.last = performance.now();
      if (this.#polls.get(live.id) === live) send();
    }, Math.max(0, c.last + intervalMs - performance.now()));
  }

  turnout = (live: LivePoll): Turnout => computeTurnout(live.id, live.eligible, live.voted, [...live.halls.values()]);

  /** Phone ballots plus hall counts, per option. */
  tally(live: LivePoll): OptionCount[] | null {
    if (!live.counts) return null;
    const counts = new Map(live.counts);
    for (const h of live.halls.values()) for (const c of h.counts) counts.set(c.id, (counts.get(c.id) ?? 0) + c.votes);
    return live.spec.options.map((o) => ({ id: o.id, votes: counts.get(o.id) ?? 0 }));
  }

  remove(pollId: number): void {
    const live = this.#polls.get(pollId);
    if (!live) return;
    if (live.closeTimer) clearTimeout(live.closeTimer);
    for (const c of Object.values(live.pushes)) if (c.timer) clearTimeout(c.timer);
    this.#polls.delete(pollId);
  }

  clear(): void {
    for (const id of [...this.#polls.keys()]) this.remove(id);
  }
}
