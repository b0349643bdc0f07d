/**
 * What a conference command writes besides its state: the floor log for the minutes, the audit
 * entries of privileged room actions and the meeting row's status, all in the command's transaction.
 */
import type { MeetingStatus } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import type { AuditEvent } from '../../plugins/audit.ts';
import { appendAudit } from '../audit/audit.store.ts';
import type { ConferenceEvent, ConferenceState } from './conference.machine.ts';
import * as repo from './conference.repo.ts';
import type { FloorEvent } from './floor.machine.ts';
import * as store from './presence.repo.ts';

/**
 * Audit entries for the privileged actions among a command's events: granting
 * and revoking the floor (an expiry or item change is the server's, actor null)
 * and opening, answering and closing a roll-call.
 */
export function auditEntries(meetingId: number, events: readonly ConferenceEvent[], actorUserId: number | null): AuditEvent[] {
  const out: AuditEvent[] = [];
  const entry = (action: string, details: Record<string, unknown>, by = actorUserId) =>
    out.push({ actorUserId: by, action, targetType: 'meeting', targetId: meetingId, details });
  for (const e of events) {
    if (e.type === 'floor:granted') {
      entry('floor.grant', { requestId: e.speaker.id, userId: e.speaker.userId, bridgePointId: e.speaker.bridgePointId, limitMs: e.speaker.limitMs, at: e.at }, e.by);
    } else if (e.type === 'floor:revoked') {
      entry('floor.revoke', { requestId: e.speaker.id, userId: e.speaker.userId, bridgePointId: e.speaker.bridgePointId, reason: e.reason, at: e.at }, e.by);
    } else if (e.type === 'rollcall:started') {
      entry('rollcall.open', { rollCallId: e.rollCallId });
    } else if (e.type === 'rollcall:confirmed') {
      entry('rollcall.answer', { rollCallId: e.rollCallId, bridgePointId: e.bridgePointId });
    } else if (e.type === 'rollcall:closed') {
      entry('rollcall.close', { rollCallId: e.rollCallId });
    }
  }
  return out;
}

/**
 * Writes the outcome of one command (`state` after `events`) through the transaction of `s`, the
 * meeting row being at `rowStatus`. Resolves true when it changed that row's status.
 */
export async function writeOutcome(
  s: Store,
  meetingId: number,
  rowStatus: MeetingStatus,
  state: ConferenceState,
  events: readonly ConferenceEvent[],
  actorUserId: number | null,
  at: number,
): Promise<boolean> {
  await store.saveChanges(s, meetingId, state, events, at);
  await repo.appendFloorLog(s, meetingId, events.filter((e): e is FloorEvent => e.type.startsWith('floor:')));
  // Privileged room actions are audited in the transaction that makes them, so neither exists without the other.
  for (const a of auditEntries(meetingId, events, actorUserId)) await appendAudit(s, a);
  let statusChanged = false;
  for (const e of events) {
    // The machine checked canTransitionMeeting against this row's status inside this transaction;
    // a change that came from the meetings API is already in the row.
    if (e.type !== 'meeting:started' && e.type !== 'meeting:ended') continue;
    const status = e.type === 'meeting:started' ? 'live' : 'ended';
    if (rowStatus === status || (status === 'ended' && rowStatus !== 'live')) continue;
    await repo.setMeetingStatus(s, meetingId, status);
    statusChanged = true;
    await appendAudit(s, { actorUserId, action: `meeting.${status === 'live' ? 'start' : 'end'}`, targetType: 'meeting', targetId: meetingId, details: { at: e.at } });
  }
  return statusChanged;
}
