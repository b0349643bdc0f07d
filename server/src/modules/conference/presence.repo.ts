/**
 * The conference state in pieces: agenda, floor and roll-call headers as one
 * small JSON document; presence per member and roll-call answers as rows.
 * A command writes only the pieces its events touched, so a check-in costs
 * one row whatever the meeting's size. On the async data layer (db/database.ts);
 * callers pass the transaction's Store for writes.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { List } from 'immutable';
import type { MeetingStatus } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { hotWrite } from '../../db/dialect.ts';
import type { AgendaState } from './agenda.machine.ts';
import { initialConference, type ConferenceEvent, type ConferenceState } from './conference.machine.ts';
import type { meetingPresence } from './conference.schema.ts';
import type { FloorState } from './floor.machine.ts';
import { delegateOf, type BridgeEntry, type Confirmation, type DelegateEntry, type PresenceState, type RollCall } from './presence.machine.ts';

export type RollCallHeader = Omit<RollCall, 'confirmations'>;

/** What the JSON document holds: everything but presence rows and roll-call answers. */
export interface StoredCore {
  version: number;
  agenda: AgendaState;
  floor: FloorState;
  rollCalls: RollCallHeader[];
}

/** Events whose change lives in a row of its own; any other event rewrites the JSON document. */
const ROW_EVENTS: ReadonlySet<ConferenceEvent['type']> = new Set(['presence:bridge', 'presence:delegate', 'rollcall:confirmed']);

/**
 * The stored state of a meeting (a fresh one if nothing is stored), with
 * presence entries for the members that have rows only: names, levels and
 * defaults for everyone else come from the roster (syncRoster).
 */
export async function loadState({ q, t }: Store, meetingId: number, status: MeetingStatus): Promise<ConferenceState> {
  const { conferenceState, meetingPresence, rollCallAnswers } = t;
  const fresh = initialConference(status);
  const [stored] = await q.select({ s: conferenceState.state }).from(conferenceState).where(eq(conferenceState.meetingId, meetingId));
  const core = stored?.s;
  // In any order: syncRoster puts the entries in the roster's.
  const rows = await q.select().from(meetingPresence).where(eq(meetingPresence.meetingId, meetingId));
  const answers = await q.select().from(rollCallAnswers).where(eq(rollCallAnswers.meetingId, meetingId)).orderBy(asc(rollCallAnswers.id));
  const bridges: BridgeEntry[] = [];
  const delegates: DelegateEntry[] = [];
  let version = core?.version ?? fresh.version;
  for (const r of rows) {
    version = Math.max(version, r.version);
    const at = { updatedAt: r.updatedAt, updatedBy: r.updatedBy };
    if (r.kind === 'bridge') {
      // Name and level are placeholders that syncRoster replaces from the invitations.
      bridges.push({ bridgePointId: r.memberId, name: '', code: '', level: 'commune', status: r.status as BridgeEntry['status'], joinedAt: r.joinedAt, delegatesPresent: r.delegatesPresent ?? 0, ...at });
    } else {
      delegates.push({ userId: r.memberId, fullName: '', bridgePointId: null, level: 'commune', status: r.status as DelegateEntry['status'], reason: r.reason, ...at });
    }
  }
  const byCall = new Map<number, Confirmation[]>();
  for (const a of answers) {
    version = Math.max(version, a.version);
    const list = byCall.get(a.rollCallId) ?? [];
    list.push({ bridgePointId: a.bridgePointId, delegatesPresent: a.delegatesPresent, at: a.at, by: a.by });
    byCall.set(a.rollCallId, list);
  }
  const rollCalls = (core?.rollCalls ?? []).map((h): RollCall => ({ ...h, confirmations: byCall.get(h.id) ?? [] }));
  const presence: PresenceState = { bridges, delegates: List(delegates), rollCalls };
  return { version, agenda: core?.agenda ?? fresh.agenda, floor: core?.floor ?? fresh.floor, presence };
}

async function saveCore({ q, t }: Store, meetingId: number, s: ConferenceState, now: number): Promise<void> {
  const { conferenceState } = t;
  const state: StoredCore = {
    version: s.version,
    agenda: s.agenda,
    floor: s.floor,
    rollCalls: s.presence.rollCalls.map(({ confirmations: _, ...h }) => h),
  };
  await q
    .insert(conferenceState)
    .values({ meetingId, version: s.version, state, updatedAt: now })
    .onConflictDoUpdate({ target: conferenceState.meetingId, set: { version: s.version, state, updatedAt: now } });
}

// A check-in storm writes one of these per delegate: prepared (per connection, or per batch transaction on
// PostgreSQL), since building the upsert cost several times running it (db/dialect.ts).
const upsertPresence = hotWrite(({ q, t: { meetingPresence: p } }) => {
  const v = (name: string) => sql.placeholder(name);
  const fromRow = (c: { name: string }) => sql.raw(`excluded.${c.name}`);
  return q
    .insert(p)
    .values({ meetingId: v('meetingId'), kind: v('kind'), memberId: v('memberId'), status: v('status'), delegatesPresent: v('delegatesPresent'), reason: v('reason'), joinedAt: v('joinedAt'), updatedAt: v('updatedAt'), updatedBy: v('updatedBy'), version: v('version') })
    .onConflictDoUpdate({
      target: [p.meetingId, p.kind, p.memberId],
      set: { status: fromRow(p.status), delegatesPresent: fromRow(p.delegatesPresent), reason: fromRow(p.reason), joinedAt: fromRow(p.joinedAt), updatedAt: fromRow(p.updatedAt), updatedBy: fromRow(p.updatedBy), version: fromRow(p.version) },
    });
});

async function savePresence(s: Store, meetingId: number, version: number, row: Required<Omit<typeof meetingPresence.$inferInsert, 'meetingId' | 'version'>>): Promise<void> {
  await upsertPresence(s, { meetingId, version, ...row });
}

/** Writes what one command's events changed in `s`: the JSON document only for agenda, floor or roll-call header changes. */
export async function saveChanges(st: Store, meetingId: number, s: ConferenceState, events: readonly ConferenceEvent[], now: number): Promise<void> {
  if (events.some((e) => !ROW_EVENTS.has(e.type))) await saveCore(st, meetingId, s, now);
  const { version } = s;
  for (const e of events) {
    if (e.type === 'presence:bridge') {
      const b = s.presence.bridges.find((x) => x.bridgePointId === e.bridgePointId);
      if (!b) continue;
      const { bridgePointId: memberId, status, delegatesPresent, updatedAt, updatedBy } = b;
      await savePresence(st, meetingId, version, { kind: 'bridge', memberId, status, delegatesPresent, reason: null, joinedAt: b.joinedAt, updatedAt, updatedBy });
    } else if (e.type === 'presence:delegate') {
      const d = delegateOf(s.presence, e.userId);
      if (!d) continue;
      const { userId: memberId, status, reason, updatedAt, updatedBy } = d;
      await savePresence(st, meetingId, version, { kind: 'delegate', memberId, status, delegatesPresent: null, reason, joinedAt: null, updatedAt, updatedBy });
    } else if (e.type === 'rollcall:confirmed') {
      const c = s.presence.rollCalls.find((r) => r.id === e.rollCallId)?.confirmations.find((x) => x.bridgePointId === e.bridgePointId);
      if (!c) continue;
      const { rollCallAnswers } = st.t;
      const key = and(
        eq(rollCallAnswers.meetingId, meetingId),
        eq(rollCallAnswers.rollCallId, e.rollCallId),
        eq(rollCallAnswers.bridgePointId, e.bridgePointId),
      );
      // Delete and insert, not update: a correction moves to the end, as the machine orders it.
      await st.q.delete(rollCallAnswers).where(key);
      await st.q.insert(rollCallAnswers).values({ meetingId, rollCallId: e.rollCallId, ...c, version });
    }
  }
}

/** Bumped by triggers on every roster change (invitations, names, levels); see conference.schema.ts. */
export async function rosterEpoch({ q, t }: Store): Promise<number> {
  const [row] = await q.select({ e: t.conferenceRosterEpoch.epoch }).from(t.conferenceRosterEpoch).where(eq(t.conferenceRosterEpoch.id, 1));
  return row?.e ?? 0;
}

