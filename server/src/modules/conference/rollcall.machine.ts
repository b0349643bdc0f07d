/**
 * Roll-call (điểm danh): the secretariat opens one, each bridge operator
 * confirms their hall's head count (again to correct it), the secretariat
 * closes it. It lives in the presence state, since a confirmation also sets
 * the bridge's live head count. Pure: `now` comes from the caller.
 */
import type { RollCallView } from '@diemcau/shared';
import { fail, ok } from './result.ts';
import {
  bridgeFor,
  countOk,
  isStep,
  replaceBridge,
  type Confirmation,
  type PresenceActor,
  type PresenceEvent,
  type PresenceState,
  type RollCall,
  type Step,
} from './presence.machine.ts';

export const openRollCall = (s: PresenceState): RollCall | null => {
  const last = s.rollCalls.at(-1);
  return last?.status === 'open' ? last : null;
};

export function rollCallView(s: PresenceState, rc: RollCall | undefined = s.rollCalls.at(-1)): RollCallView | null {
  if (!rc) return null;
  return { ...rc, confirmations: [...rc.confirmations], confirmed: rc.confirmations.length, expected: s.bridges.length };
}

export function startRollCall(s: PresenceState, actor: PresenceActor, now: number): Step {
  if (!actor.chair) return fail('FORBIDDEN', 'Only the secretariat may start a roll-call');
  if (openRollCall(s)) return fail('ILLEGAL_TRANSITION', 'A roll-call is already open');
  const rc: RollCall = { id: s.rollCalls.length + 1, status: 'open', startedAt: now, startedBy: actor.userId, closedAt: null, confirmations: [] };
  return ok({ ...s, rollCalls: [...s.rollCalls, rc] }, [{ type: 'rollcall:started', rollCallId: rc.id }]);
}

export interface ConfirmInput {
  bridgePointId?: number | undefined;
  delegatesPresent: number;
}

/** A bridge confirms its head count; confirming again corrects it. The bridge's live count follows. */
export function confirmRollCall(s: PresenceState, actor: PresenceActor, input: ConfirmInput, now: number): Step {
  const rc = openRollCall(s);
  if (!rc) return fail('ILLEGAL_TRANSITION', 'No roll-call is open');
  if (!countOk(input.delegatesPresent)) return fail('VALIDATION_FAILED', 'Head count out of range');
  const b = bridgeFor(s, actor, input.bridgePointId);
  if (isStep(b)) return b;
  const conf: Confirmation = { bridgePointId: b.bridgePointId, delegatesPresent: input.delegatesPresent, at: now, by: actor.userId };
  const next: RollCall = {
    ...rc,
    confirmations: [...rc.confirmations.filter((c) => c.bridgePointId !== b.bridgePointId), conf],
  };
  let state: PresenceState = { ...s, rollCalls: [...s.rollCalls.slice(0, -1), next] };
  const events: PresenceEvent[] = [{ type: 'rollcall:confirmed', rollCallId: rc.id, bridgePointId: b.bridgePointId }];
  if (b.delegatesPresent !== input.delegatesPresent) {
    state = replaceBridge(state, { ...b, delegatesPresent: input.delegatesPresent, updatedAt: now, updatedBy: actor.userId });
    events.push({ type: 'presence:bridge', bridgePointId: b.bridgePointId });
  }
  return ok(state, events);
}

export function closeRollCall(s: PresenceState, actor: PresenceActor, now: number): Step {
  if (!actor.chair) return fail('FORBIDDEN', 'Only the secretariat may close a roll-call');
  const rc = openRollCall(s);
  if (!rc) return fail('ILLEGAL_TRANSITION', 'No roll-call is open');
  return ok({ ...s, rollCalls: [...s.rollCalls.slice(0, -1), { ...rc, status: 'closed', closedAt: now }] }, [
    { type: 'rollcall:closed', rollCallId: rc.id },
  ]);
}
