/**
 * Live meeting state on the client: built from the `meeting:join` snapshot and
 * patched by broadcasts. Pure functions, so the rules are unit-tested without a
 * browser; `use-live-meeting.ts` wires them to the socket.
 */
import type {
  AgendaView,
  BroadcastName,
  DocumentInfo,
  Broadcasts,
  FloorView,
  LinkInfo,
  MediaSnapshot,
  Meeting,
  MicInfo,
  PollResult,
  PollSnapshot,
  PollView,
  PresenceView,
  SourceRef,
  Turnout,
  YouView,
} from '@diemcau/shared';
import type { Static } from 'typebox';
import { emptyMedia } from '../media/follow.ts';

export interface Tally {
  pollId: number;
  voted: number;
  counts: { id: string; votes: number }[];
}

export interface LiveState {
  meeting: Meeting;
  agenda: AgendaView;
  presence: PresenceView;
  floor: FloorView;
  you: YouView | null;
  poll: PollSnapshot;
  /** Live counts of an open ballot (secretariat only). */
  tally: Tally | null;
  /** Published documents this user may see (secretariat: all). */
  documents: DocumentInfo[];
  /** Bumped by every `document:received`; the receipts panel reloads on it. */
  receiptsRev: number;
  media: MediaSnapshot;
  /** serverNow − Date.now() at the last message that carried a server clock. */
  clockOffset: number;
  /** Bumped by every change; lets views notice e.g. a new receipt. */
  rev: number;
  /** Differs for every snapshot: a new join (e.g. after a reconnect) means server-side media state is new too. */
  joinId: number;
}

/** Shape of the snapshot as the conference feature acks it (optional parts may be missing). */
export interface SnapshotIn {
  meeting: Meeting;
  agenda: AgendaView;
  presence: PresenceView;
  floor: FloorView;
  you?: YouView;
  poll?: unknown;
  documents?: unknown;
  media?: unknown;
}

const emptyPoll = (): PollSnapshot => ({ poll: null, turnout: null, result: null, tally: null, eligible: false, voted: false });

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

let joins = 0;

export function fromSnapshot(s: SnapshotIn, now = Date.now()): LiveState {
  const poll = isObj(s.poll) && 'poll' in s.poll ? (s.poll as PollSnapshot) : emptyPoll();
  const media = isObj(s.media) && 'stage' in s.media ? (s.media as MediaSnapshot) : emptyMedia();
  const serverNow = s.agenda.timer?.serverNow ?? s.floor.serverNow;
  return {
    meeting: s.meeting,
    agenda: s.agenda,
    presence: s.presence,
    floor: s.floor,
    you: s.you ?? null,
    poll,
    tally: poll.poll && poll.tally ? { pollId: poll.poll.id, voted: poll.turnout?.voted ?? 0, counts: poll.tally } : null,
    documents: isObj(s.documents) && Array.isArray(s.documents.documents) ? (s.documents.documents as DocumentInfo[]) : [],
    receiptsRev: 0,
    media,
    clockOffset: typeof serverNow === 'number' ? serverNow - now : 0,
    rev: 0,
    joinId: ++joins,
  };
}

export const sameSource = (a: SourceRef | null | undefined, b: SourceRef | null | undefined): boolean =>
  !!a && !!b && a.type === b.type && (a.type === 'bridge' ? a.bridgePointId === (b as typeof a).bridgePointId : a.userId === (b as typeof a).userId);

const upsert = <T>(list: T[], item: T, same: (a: T) => boolean): T[] =>
  list.some(same) ? list.map((x) => (same(x) ? item : x)) : [...list, item];

type Payload<K extends BroadcastName> = Static<Broadcasts[K]>;
type Reducer<K extends BroadcastName> = (s: LiveState, p: Payload<K>, now: number) => LiveState;

const forMeeting = <K extends BroadcastName>(fn: Reducer<K>): Reducer<K> => (s, p, now) =>
  (p as { meetingId?: number }).meetingId === undefined || (p as { meetingId?: number }).meetingId === s.meeting.id ? fn(s, p, now) : s;

const withPoll = (s: LiveState, poll: PollView, patch: Partial<PollSnapshot> = {}): LiveState => {
  if (poll.meetingId !== s.meeting.id) return s;
  const samePoll = s.poll.poll?.id === poll.id;
  return {
    ...s,
    poll: {
      ...s.poll,
      poll,
      // A new poll starts with no result and a fresh ballot for this user.
      ...(samePoll ? {} : { result: null, turnout: null, halls: [], voted: false, eligible: s.you?.role === 'delegate' }),
      ...patch,
    },
    tally: samePoll ? s.tally : null,
  };
};

const withResult = (s: LiveState, poll: PollView, result: PollResult) => withPoll(s, poll, { result });

/** How each broadcast changes the state. Broadcasts not listed leave it alone. */
export const reducers: { [K in BroadcastName]?: Reducer<K> } = {
  'meeting:started': forMeeting<'meeting:started'>((s, p) => ({ ...s, meeting: { ...s.meeting, status: p.status }, agenda: { ...s.agenda, status: p.status } })),
  'meeting:ended': forMeeting<'meeting:ended'>((s, p) => ({ ...s, meeting: { ...s.meeting, status: p.status }, agenda: { ...s.agenda, status: p.status } })),
  'agenda:changed': forMeeting<'agenda:changed'>((s, p, now) => ({
    ...s,
    agenda: p.agenda,
    meeting: { ...s.meeting, status: p.agenda.status },
    clockOffset: p.agenda.timer ? p.agenda.timer.serverNow - now : s.clockOffset,
  })),
  'timer:changed': forMeeting<'timer:changed'>((s, p, now) => ({
    ...s,
    agenda: p.timer.itemId === s.agenda.currentItemId || !s.agenda.timer ? { ...s.agenda, timer: p.timer } : s.agenda,
    clockOffset: p.timer.serverNow - now,
  })),
  'floor:queue-changed': forMeeting<'floor:queue-changed'>((s, p, now) => ({ ...s, floor: p.floor, clockOffset: p.floor.serverNow - now })),
  'floor:requested': forMeeting<'floor:requested'>((s, p) => ({
    ...s,
    floor: { ...s.floor, queue: upsert(s.floor.queue, p.request, (r) => r.id === p.request.id) },
  })),
  'floor:withdrawn': forMeeting<'floor:withdrawn'>((s, p) => ({ ...s, floor: { ...s.floor, queue: s.floor.queue.filter((r) => r.id !== p.requestId) } })),
  'floor:granted': forMeeting<'floor:granted'>((s, p) => ({
    ...s,
    floor: { ...s.floor, speaker: p.speaker, queue: s.floor.queue.filter((r) => r.id !== p.speaker.id) },
  })),
  'floor:revoked': forMeeting<'floor:revoked'>((s, p) => ({
    ...s,
    floor: { ...s.floor, speaker: s.floor.speaker?.id === p.requestId ? null : s.floor.speaker },
  })),
  // A delta: only the bridges and delegates that changed and this screen shows (the console: all;
  // a bridge screen: its own; a phone: its own row), plus fresh totals. Coalesced by the server.
  'presence:changed': forMeeting<'presence:changed'>((s, p) => ({
    ...s,
    presence: {
      ...s.presence,
      bridges: p.bridges.reduce((list, b) => upsert(list, b, (x) => x.bridgePointId === b.bridgePointId), s.presence.bridges),
      delegates: p.delegates.reduce((list, d) => upsert(list, d, (x) => x.userId === d.userId), s.presence.delegates),
      counts: p.counts,
    },
  })),
  'rollcall:started': forMeeting<'rollcall:started'>((s, p) => ({ ...s, presence: { ...s.presence, rollCall: p.rollCall } })),
  'rollcall:confirmed': forMeeting<'rollcall:confirmed'>((s, p) => ({ ...s, presence: { ...s.presence, rollCall: p.rollCall } })),
  'rollcall:closed': forMeeting<'rollcall:closed'>((s, p) => ({ ...s, presence: { ...s.presence, rollCall: p.rollCall } })),
  'poll:opened': (s, p) => withPoll(s, p.poll, { turnout: p.turnout }),
  'poll:turnout-changed': (s, p) => (s.poll.poll?.id === p.pollId ? { ...s, poll: { ...s.poll, turnout: p as Turnout } } : s),
  'poll:tally-changed': (s, p) => (s.poll.poll?.id === p.pollId ? { ...s, tally: p } : s),
  'poll:closed': (s, p) => withResult(s, p.poll, p.result),
  'poll:published': (s, p) => withResult(s, p.poll, p.result),
  'poll:cancelled': (s, p) => withPoll(s, p.poll),
  // A hall's show-of-hands count, entered or changed by its bridge operator.
  'poll:hall-counted': (s, p) =>
    s.poll.poll?.id === p.pollId ? { ...s, poll: { ...s.poll, halls: upsert(s.poll.halls ?? [], p, (h) => h.bridgePointId === p.bridgePointId) } } : s,
  'document:published': forMeeting<'document:published'>((s, p) => ({
    ...s,
    documents: upsert(s.documents, p.document, (d) => d.id === p.document.id),
  })),
  'document:received': forMeeting<'document:received'>((s) => ({ ...s, receiptsRev: s.receiptsRev + 1 })),
  'stage:changed': (s, p) => ({ ...s, media: { ...s.media, stage: p } }),
  'speaker:active': (s, p) => ({ ...s, media: { ...s.media, activeSpeaker: p } }),
  'link:changed': (s, p) => ({ ...s, media: { ...s.media, links: upsert<LinkInfo>(s.media.links, p, (l) => sameSource(l.source, p.source)) } }),
  'producer:added': (s, p) => ({
    ...s,
    media: { ...s.media, producers: upsert(s.media.producers, p, (x) => x.producerId === p.producerId) },
  }),
  'producer:closed': (s, p) => ({ ...s, media: { ...s.media, producers: s.media.producers.filter((x) => x.producerId !== p.producerId) } }),
  'producer:paused': (s, p) => ({
    ...s,
    media: { ...s.media, producers: s.media.producers.map((x) => (x.producerId === p.producerId ? { ...x, paused: p.paused } : x)) },
  }),
  'media:muted': (s, p) => ({ ...s, media: { ...s.media, mics: upsert<MicInfo>(s.media.mics, p, (m) => sameSource(m.source, p.source)) } }),
};

export const LIVE_BROADCASTS = Object.keys(reducers) as BroadcastName[];

/** Applies one broadcast; unknown names and other meetings' events leave the state unchanged. */
export function reduce(s: LiveState, name: BroadcastName, payload: unknown, now = Date.now()): LiveState {
  const fn = reducers[name] as Reducer<BroadcastName> | undefined;
  if (!fn) return s;
  const next = fn(s, payload as Payload<BroadcastName>, now);
  return next === s ? s : { ...next, rev: s.rev + 1 };
}

// ---- derived values -------------------------------------------------------------

/** The server clock as this client estimates it. */
export const serverNow = (s: LiveState, now = Date.now()): number => now + s.clockOffset;

export function timerRemaining(s: LiveState, now = Date.now()): number | null {
  const t = s.agenda.timer;
  if (!t) return null;
  const elapsed = t.accumulatedMs + (t.status === 'running' && t.runningSince !== null ? serverNow(s, now) - t.runningSince : 0);
  return t.allottedMs - elapsed;
}

export function speakerRemaining(s: LiveState, now = Date.now()): number | null {
  const sp = s.floor.speaker;
  return sp ? sp.endsAt - serverNow(s, now) : null;
}

/** The floor can be asked for only while the meeting is live and an item is under way. */
export const floorOpen = (s: LiveState): boolean => s.meeting.status === 'live' && s.agenda.currentItemId !== null;

export const currentItem = (s: LiveState) => s.agenda.items.find((i) => i.id === s.agenda.currentItemId) ?? null;

export const micOf = (s: LiveState, src: SourceRef): MicInfo | null => s.media.mics.find((m) => sameSource(m.source, src)) ?? null;
export const linkOf = (s: LiveState, src: SourceRef): LinkInfo | null => s.media.links.find((l) => sameSource(l.source, src)) ?? null;
