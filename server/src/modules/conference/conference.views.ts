/**
 * Turns conference state into the contract's views, and a command's domain
 * events into the broadcasts every member receives. Presence changes are not
 * among them: they go to the audience-shaped fan-out (presence.fanout.ts) as
 * ids, which reads the rows when its window closes. Pure.
 */
import type {
  AgendaItem,
  AgendaView,
  BridgePresenceView,
  conferenceBroadcasts,
  ConferenceBroadcastName,
  DelegatePresenceView,
} from '@diemcau/shared';
import type { Static } from 'typebox';
import { timerView } from './agenda.machine.ts';
import type { ConferenceEvent, ConferenceState } from './conference.machine.ts';
import { floorView, requestView, speakerView } from './floor.machine.ts';
import type { BridgeEntry, DelegateEntry } from './presence.machine.ts';
import { rollCallView } from './rollcall.machine.ts';

export type Outgoing = {
  [K in ConferenceBroadcastName]: { name: K; payload: Static<(typeof conferenceBroadcasts)[K]> };
}[ConferenceBroadcastName];

export function agendaView(s: ConferenceState, items: readonly AgendaItem[], now: number): AgendaView {
  const a = s.agenda;
  return {
    status: a.status,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    currentItemId: a.currentItemId,
    items: [...items],
    timer: a.currentItemId === null ? null : timerView(a, items, a.currentItemId, now),
  };
}

export const bridgeView = ({ updatedBy: _, ...b }: BridgeEntry): BridgePresenceView => b;
export const delegateView = ({ updatedBy: _, ...d }: DelegateEntry): DelegatePresenceView => d;

/** The bridges and delegates whose presence rows a command's events changed, for the fan-out. */
export function presenceTouched(events: readonly ConferenceEvent[]): { bridges: number[]; delegates: number[] } {
  const bridges = new Set<number>();
  const delegates = new Set<number>();
  for (const e of events) {
    if (e.type === 'presence:bridge') bridges.add(e.bridgePointId);
    else if (e.type === 'presence:delegate') delegates.add(e.userId);
  }
  return { bridges: [...bridges], delegates: [...delegates] };
}

/**
 * The broadcasts for one command's events, in a stable order, each kind at most once where it is a full view.
 * `items` is asked for only when an agenda or timer view goes out, so a check-in reads no agenda.
 */
export function toBroadcasts(
  meetingId: number,
  s: ConferenceState,
  events: readonly ConferenceEvent[],
  agendaItems: () => readonly AgendaItem[],
  now: number,
): Outgoing[] {
  const out: Outgoing[] = [];
  let agendaChanged = false;
  let floorChanged = false;
  const timers = new Set<number>();
  const status = s.agenda.status;
  for (const e of events) {
    switch (e.type) {
      case 'meeting:started':
        out.push({ name: 'meeting:started', payload: { meetingId, status, at: e.at } });
        break;
      case 'meeting:ended':
        out.push({ name: 'meeting:ended', payload: { meetingId, status, at: e.at } });
        break;
      case 'agenda:changed':
        agendaChanged = true;
        break;
      case 'timer:changed':
        timers.add(e.itemId);
        break;
      case 'floor:requested':
        floorChanged = true;
        out.push({ name: 'floor:requested', payload: { meetingId, request: requestView(e.request) } });
        break;
      case 'floor:withdrawn':
        floorChanged = true;
        out.push({ name: 'floor:withdrawn', payload: { meetingId, requestId: e.request.id, reason: e.reason } });
        break;
      case 'floor:reordered':
        floorChanged = true;
        break;
      case 'floor:granted':
        floorChanged = true;
        out.push({ name: 'floor:granted', payload: { meetingId, speaker: speakerView(e.speaker, now) } });
        break;
      case 'floor:revoked': {
        floorChanged = true;
        const { id, userId, bridgePointId } = e.speaker;
        out.push({ name: 'floor:revoked', payload: { meetingId, requestId: id, userId, bridgePointId, reason: e.reason, at: e.at } });
        break;
      }
      case 'presence:bridge':
      case 'presence:delegate':
        break;
      case 'rollcall:started':
      case 'rollcall:confirmed':
      case 'rollcall:closed': {
        const rc = rollCallView(s.presence, s.presence.rollCalls.find((r) => r.id === e.rollCallId));
        if (!rc) break;
        if (e.type === 'rollcall:confirmed') out.push({ name: e.type, payload: { meetingId, rollCall: rc, bridgePointId: e.bridgePointId } });
        else out.push({ name: e.type, payload: { meetingId, rollCall: rc } });
        break;
      }
    }
  }
  let items: readonly AgendaItem[] | null = null;
  const itemsNow = () => (items ??= agendaItems());
  if (agendaChanged) out.push({ name: 'agenda:changed', payload: { meetingId, agenda: agendaView(s, itemsNow(), now) } });
  for (const itemId of timers) {
    // A paused timer of an item left behind is already part of agenda:changed.
    if (itemId === s.agenda.currentItemId) out.push({ name: 'timer:changed', payload: { meetingId, timer: timerView(s.agenda, itemsNow(), itemId, now) } });
  }
  if (floorChanged) out.push({ name: 'floor:queue-changed', payload: { meetingId, floor: floorView(s.floor, now) } });
  return out;
}
