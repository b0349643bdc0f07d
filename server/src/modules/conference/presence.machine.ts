/**
 * Presence (who is here). Bridge points are online / offline / degraded with
 * a head count their operator reports; delegates are present online, present
 * in person, or absent with a reason. The state also carries the roll-calls
 * (điểm danh), whose commands are in rollcall.machine.ts. Pure: `now` comes
 * from the caller.
 */
import type {
  BridgeLevel,
  BridgeStatus,
  DelegateStatus,
  LevelCounts,
  PresenceCounts,
  Role,
} from '@diemcau/shared';
import { CONFERENCE_LIMITS } from '@diemcau/shared';
import { List } from 'immutable';
import { fail, ok, type Transition } from './result.ts';

export interface BridgeEntry {
  bridgePointId: number;
  name: string;
  /** The bridge's unit code (e.g. 99101), which operators quote on the phone. */
  code: string;
  level: BridgeLevel;
  status: BridgeStatus;
  /** When the bridge first came online in this meeting; null while it never has (the console's "never joined" vs "dropped"). */
  joinedAt: number | null;
  delegatesPresent: number;
  updatedAt: number | null;
  updatedBy: number | null;
}

export interface DelegateEntry {
  userId: number;
  fullName: string;
  bridgePointId: number | null;
  level: BridgeLevel;
  status: DelegateStatus;
  reason: string | null;
  updatedAt: number | null;
  updatedBy: number | null;
}

export interface Confirmation {
  bridgePointId: number;
  delegatesPresent: number;
  at: number;
  by: number;
}

export interface RollCall {
  id: number;
  status: 'open' | 'closed';
  startedAt: number;
  startedBy: number;
  closedAt: number | null;
  confirmations: Confirmation[];
}

export interface PresenceState {
  bridges: BridgeEntry[];
  /**
   * A persistent vector, not an array: a check-in replaces one entry by path copying (O(log32 n),
   * about 100 pointers at 2,000 delegates) instead of copying every entry into a new array, while
   * earlier states stay as they were. Readers iterate it or call `toArray()`.
   */
  delegates: List<DelegateEntry>;
  /** Every roll-call of the meeting, oldest first; the minutes list them all. */
  rollCalls: RollCall[];
}

export type PresenceEvent =
  | { type: 'presence:bridge'; bridgePointId: number }
  | { type: 'presence:delegate'; userId: number }
  | { type: 'rollcall:started'; rollCallId: number }
  | { type: 'rollcall:confirmed'; rollCallId: number; bridgePointId: number }
  | { type: 'rollcall:closed'; rollCallId: number };

export type Step = Transition<PresenceState, PresenceEvent>;

/** Who acts. `system` is the server itself (e.g. a bridge operator's socket dropped). */
export interface PresenceActor {
  userId: number;
  role: Role | 'system';
  bridgePointId: number | null;
  chair: boolean;
}

export interface Roster {
  bridges: { bridgePointId: number; name: string; code?: string; level: BridgeLevel }[];
  delegates: { userId: number; fullName: string; bridgePointId: number | null; level: BridgeLevel }[];
}

export const initialPresence = (): PresenceState => ({ bridges: [], delegates: List(), rollCalls: [] });

/**
 * Aligns presence with who is invited now (invitations may change during a
 * meeting), keeping what was already recorded for everyone still invited.
 */
export function syncRoster(s: PresenceState, roster: Roster): PresenceState {
  const oldB = new Map(s.bridges.map((b) => [b.bridgePointId, b]));
  const old = s.delegates.toArray();
  const oldD = new Map(old.map((d) => [d.userId, d]));
  const bridges = roster.bridges.map((b): BridgeEntry => {
    const o = oldB.get(b.bridgePointId);
    const code = b.code ?? '';
    return o
      ? { ...o, name: b.name, code, level: b.level }
      : { bridgePointId: b.bridgePointId, name: b.name, code, level: b.level, status: 'offline', joinedAt: null, delegatesPresent: 0, updatedAt: null, updatedBy: null };
  });
  const delegates = roster.delegates.map((d): DelegateEntry => {
    const o = oldD.get(d.userId);
    return o
      ? { ...o, fullName: d.fullName, bridgePointId: d.bridgePointId, level: d.level }
      : { ...d, status: 'unknown', reason: null, updatedAt: null, updatedBy: null };
  });
  const sameB =
    bridges.length === s.bridges.length &&
    bridges.every((b, i) => {
      const o = s.bridges[i]!;
      return b.bridgePointId === o.bridgePointId && b.name === o.name && b.code === o.code && b.level === o.level;
    });
  const sameD =
    delegates.length === old.length &&
    delegates.every((d, i) => {
      const o = old[i]!;
      return d.userId === o.userId && d.fullName === o.fullName && d.bridgePointId === o.bridgePointId && d.level === o.level;
    });
  // Unchanged rosters keep the very same state object, so callers can tell nothing moved.
  return sameB && sameD ? s : { ...s, bridges: sameB ? s.bridges : bridges, delegates: sameD ? s.delegates : List(delegates) };
}

const zero = (): LevelCounts => ({
  bridges: 0,
  online: 0,
  degraded: 0,
  offline: 0,
  delegatesPresent: 0,
  delegates: 0,
  presentOnline: 0,
  presentInPerson: 0,
  absent: 0,
  unknown: 0,
});

const DELEGATE_KEY = {
  present_online: 'presentOnline',
  present_in_person: 'presentInPerson',
  absent: 'absent',
  unknown: 'unknown',
} as const satisfies Record<DelegateStatus, keyof LevelCounts>;

/** Live counts per level and overall, for the secretariat's board. */
export function counts(s: PresenceState): PresenceCounts {
  const c: PresenceCounts = { overall: zero(), provincial: zero(), district: zero(), commune: zero() };
  for (const b of s.bridges) {
    for (const k of [c.overall, c[b.level]]) {
      k.bridges++;
      k[b.status]++;
      k.delegatesPresent += b.delegatesPresent;
    }
  }
  for (const d of s.delegates) {
    for (const k of [c.overall, c[d.level]]) {
      k.delegates++;
      k[DELEGATE_KEY[d.status]]++;
    }
  }
  return c;
}

/** The bridge an actor may speak for: the one named, which must be their own unless they chair. */
export function bridgeFor(s: PresenceState, actor: PresenceActor, bridgePointId: number | undefined): BridgeEntry | Step {
  const id = bridgePointId ?? actor.bridgePointId;
  if (id === null) return fail('VALIDATION_FAILED', 'Say which bridge point');
  const bridge = s.bridges.find((b) => b.bridgePointId === id);
  if (!bridge) return fail('NOT_FOUND', `Bridge point ${id} is not invited to this meeting`);
  const own = (actor.role === 'bridge_operator' || actor.role === 'system') && actor.bridgePointId === id;
  if (!own && !actor.chair) return fail('FORBIDDEN', "Only this bridge point's operator may report for it");
  return bridge;
}

export const isStep = <T extends object>(v: T | Step): v is Step => 'ok' in v;

export const replaceBridge = (s: PresenceState, b: BridgeEntry): PresenceState => ({
  ...s,
  bridges: s.bridges.map((x) => (x.bridgePointId === b.bridgePointId ? b : x)),
});

export const countOk = (n: number) => Number.isInteger(n) && n >= 0 && n <= CONFERENCE_LIMITS.delegatesPresentMax;

export interface SetBridgeInput {
  bridgePointId?: number | undefined;
  status?: BridgeStatus | undefined;
  delegatesPresent?: number | undefined;
}

export function setBridge(s: PresenceState, actor: PresenceActor, input: SetBridgeInput, now: number): Step {
  if (input.status === undefined && input.delegatesPresent === undefined) {
    return fail('VALIDATION_FAILED', 'Give a status or a head count');
  }
  if (input.delegatesPresent !== undefined && !countOk(input.delegatesPresent)) {
    return fail('VALIDATION_FAILED', 'Head count out of range');
  }
  const b = bridgeFor(s, actor, input.bridgePointId);
  if (isStep(b)) return b;
  const next: BridgeEntry = {
    ...b,
    status: input.status ?? b.status,
    delegatesPresent: input.delegatesPresent ?? b.delegatesPresent,
  };
  if (next.status === b.status && next.delegatesPresent === b.delegatesPresent) return ok(s);
  // The first time it is anything but offline, the bridge has joined; a later offline is a drop.
  const joinedAt = b.joinedAt === null && next.status !== 'offline' ? now : b.joinedAt;
  return ok(replaceBridge(s, { ...next, joinedAt, updatedAt: now, updatedBy: actor.userId }), [
    { type: 'presence:bridge', bridgePointId: b.bridgePointId },
  ]);
}

export interface SetDelegateInput {
  userId?: number | undefined;
  status: Exclude<DelegateStatus, 'unknown'>;
  reason?: string | undefined;
}

/**
 * Where each delegate sits in a state's `delegates`, built once and carried to the next state: a
 * check-in replaces one entry in place, so the positions stay valid. With it and the persistent
 * vector a check-in finds and replaces its entry without touching the other 1,999.
 */
const positions = new WeakMap<List<DelegateEntry>, Map<number, number>>();
function positionsOf(ds: List<DelegateEntry>): Map<number, number> {
  let m = positions.get(ds);
  if (!m) {
    m = new Map();
    let i = 0;
    for (const d of ds) m.set(d.userId, i++);
    positions.set(ds, m);
  }
  return m;
}

/** A delegate's entry in this state, by user id. */
export function delegateOf(s: Pick<PresenceState, 'delegates'>, userId: number): DelegateEntry | undefined {
  const i = positionsOf(s.delegates).get(userId);
  return i === undefined ? undefined : s.delegates.get(i);
}

/** `ds` with the entry at `next.userId`'s position replaced; shares the position index. */
function replaceDelegate(ds: List<DelegateEntry>, next: DelegateEntry): List<DelegateEntry> {
  const index = positionsOf(ds);
  const out = ds.set(index.get(next.userId)!, next);
  positions.set(out, index);
  return out;
}

export function setDelegate(s: PresenceState, actor: PresenceActor, input: SetDelegateInput, now: number): Step {
  const userId = input.userId ?? actor.userId;
  const d = delegateOf(s, userId);
  if (!d) return fail('NOT_FOUND', `User ${userId} is not a delegate of this meeting`);
  const self = actor.userId === userId;
  const theirOperator = actor.role === 'bridge_operator' && d.bridgePointId !== null && actor.bridgePointId === d.bridgePointId;
  if (!self && !theirOperator && !actor.chair) return fail('FORBIDDEN', "Only the delegate, their bridge's operator or the chair may mark this");
  const reason = (input.reason ?? '').trim();
  if (input.status === 'absent' && reason === '') return fail('VALIDATION_FAILED', 'An absence needs a reason');
  if (reason.length > CONFERENCE_LIMITS.reasonMax) return fail('VALIDATION_FAILED', 'Reason is too long');
  const next: DelegateEntry = {
    ...d,
    status: input.status,
    reason: input.status === 'absent' ? reason : null,
    updatedAt: now,
    updatedBy: actor.userId,
  };
  if (next.status === d.status && next.reason === d.reason) return ok(s);
  return ok({ ...s, delegates: replaceDelegate(s.delegates, next) }, [
    { type: 'presence:delegate', userId },
  ]);
}
