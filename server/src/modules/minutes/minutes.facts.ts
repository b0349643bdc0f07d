/**
 * Gathers the facts of one ended meeting for the minutes model: the meeting
 * row, the conference room's final state (read through the conference
 * service by the caller) and its floor log, the documents and the polls' stored
 * results. Only documents that were published count; only polls that were
 * closed (their result is stored) appear.
 */
import type { Store } from '../../db/database.ts';
import { listAgenda } from '../agenda/agenda.repo.ts';
import type { ConferenceState } from '../conference/conference.machine.ts';
import { listFloorLog } from '../conference/conference.repo.ts';
import { elapsedMs, timerOf } from '../conference/agenda.machine.ts';
import { everConfidentialIds, listDocs } from '../documents/documents.repo.ts';
import type { MeetingRow } from '../meetings/meetings.access.ts';
import { meetingPlace } from '../meetings/meetings.access.ts';
import { listPolls } from '../voting/voting.repo.ts';
import type { MinutesFacts } from './minutes.model.ts';

/** `state` is read by the caller, outside `s` (the conference service runs transactions of its own). */
export async function loadFacts(s: Store, meeting: MeetingRow, state: ConferenceState): Promise<MinutesFacts> {
  const end = state.agenda.endedAt ?? Date.parse(meeting.endsAt);
  const answered = new Set(state.presence.rollCalls.flatMap((rc) => rc.confirmations.map((c) => c.bridgePointId)));
  const docs = (await listDocs(s, meeting.id)).filter(({ doc }) => doc.publishedAt !== null);
  // A document any of whose versions was confidential is treated as confidential (documents.schema.ts).
  const everConfidential = await everConfidentialIds(s, docs.map((d) => d.doc.id));
  const taken = new Set(state.agenda.timers.map((t) => t.itemId));
  return {
    meeting: {
      id: meeting.id,
      title: meeting.title,
      description: meeting.description,
      startsAt: meeting.startsAt,
      endsAt: meeting.endsAt,
      startedAt: state.agenda.startedAt,
      endedAt: state.agenda.endedAt,
      chairUnitName: await meetingPlace(s, meeting),
    },
    bridges: state.presence.bridges.map((b) => ({
      bridgePointId: b.bridgePointId,
      name: b.name,
      level: b.level,
      status: b.status,
      delegatesPresent: b.delegatesPresent,
      answeredRollCall: answered.has(b.bridgePointId),
    })),
    delegates: state.presence.delegates.toArray().map((d) => ({
      userId: d.userId,
      fullName: d.fullName,
      bridgePointId: d.bridgePointId,
      level: d.level,
      status: d.status,
      reason: d.reason,
    })),
    agenda: (await listAgenda(s, meeting.id)).map((a) => ({
      id: a.id,
      position: a.position,
      title: a.title,
      presenter: a.presenter,
      plannedMinutes: a.plannedMinutes,
      documentIds: a.documentIds,
      usedMs: elapsedMs(timerOf(state.agenda, a.id), end),
      // The first item is current from the start; it counts as taken up like any item given a timer.
      takenUp: taken.has(a.id) || state.agenda.currentItemId === a.id,
    })),
    floorLog: (await listFloorLog(s, meeting.id)).map((r) => ({
      kind: r.kind,
      at: r.at,
      requestId: r.requestId,
      itemId: r.itemId,
      userId: r.userId,
      bridgePointId: r.bridgePointId,
      displayName: r.displayName,
      topic: r.topic,
    })),
    documents: docs.map(({ doc, ver }) => ({
      id: doc.id,
      title: doc.title,
      classification: doc.classification,
      everConfidential: ver.confidential || everConfidential.has(doc.id),
    })),
    polls: (await listPolls(s, meeting.id))
      .filter((p) => (p.status === 'closed' || p.status === 'published') && p.result)
      .map((p) => ({
        id: p.id,
        title: p.title,
        agendaItemId: p.agendaItemId,
        result: p.result!,
        labels: Object.fromEntries(p.spec.options.map((o) => [o.id, o.label])),
      })),
  };
}
