/**
 * The conference state in pieces: agenda, floor and roll-call headers as one
 * small JSON document; presence per member and roll-call answers as rows.
 * A command writes only the pieces its events touched, so a check-in costs
 * one row whatever the meeting's size. Synchronous; callers wrap writes in a
 * transaction.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { MeetingStatus } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { preparedFor } from '../../lib/prepared.ts';
import type { AgendaState } from './agenda.machine.ts';
import { initialConference, type ConferenceEvent, type ConferenceState } from './conference.machine.ts';
import { conferenceRosterEpoch, conferenceState, meetingPresence, rollCallAnswers } from './conference.schema.ts';
import type { FloorState } from './floor.machine.ts';
import { delegateOf, type BridgeEntry, type Confirmation, type DelegateEntry, type PresenceState, type RollCall } from './presence.machine.ts';

type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>;

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
export function loadState(db: Tx, meetingId: number, status: MeetingStatus): ConferenceState {
  const fresh = initialConference(status);
  const core = db.select({ s: conferenceState.state }).from(conferenceState).where(eq(conferenceState.meetingId, meetingId)).get()?.s;
  const rows = db.select().from(meetingPresence).where(eq(meetingPresence.meetingId, meetingId)).all();
  const answers = db.select().from(rollCallAnswers).where(eq(rollCallAnswers.meetingId, meetingId)).orderBy(asc(rollCallAnswers.id)).all();
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
  const presence: PresenceState = { bridges, delegates, rollCalls };
  return { version, agenda: core?.agenda ?? fresh.agenda, floor: core?.floor ?? fresh.floor, presence };
}

function saveCore(db: Tx, meetingId: number, s: ConferenceState, now: number): void {
  const state: StoredCore = {
    version: s.version,
    agenda: s.agenda,
    floor: s.floor,
    rollCalls: s.presence.rollCalls.map(({ confirmations: _, ...h }) => h),
  };
  db.insert(conferenceState)
    .values({ meetingId, version: s.version, state, updatedAt: now })
    .onConflictDoUpdate({ target: conferenceState.meetingId, set: { version: s.version, state, updatedAt: now } })
    .run();
}

/** The statements a check-in runs, prepared once per connection. */
const statements = preparedFor((db) => {
  const p = (name: string) => sql.placeholder(name);
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  return {
    epoch: db.select({ e: conferenceRosterEpoch.epoch }).from(conferenceRosterEpoch).where(eq(conferenceRosterEpoch.id, 1)).prepare(),
    upsert: db
      .insert(meetingPresence)
      .values({
        meetingId: p('meetingId'),
        kind: p('kind'),
        memberId: p('memberId'),
        status: p('status'),
        delegatesPresent: p('delegatesPresent'),
        reason: p('reason'),
        joinedAt: p('joinedAt'),
        updatedAt: p('updatedAt'),
        updatedBy: p('updatedBy'),
        version: p('version'),
      })
      .onConflictDoUpdate({
        target: [meetingPresence.meetingId, meetingPresence.kind, meetingPresence.memberId],
        set: {
          status: excluded('status'),
          delegatesPresent: excluded('delegates_present'),
          reason: excluded('reason'),
          joinedAt: excluded('joined_at'),
          updatedAt: excluded('updated_at'),
          updatedBy: excluded('updated_by'),
          version: excluded('version'),
        },
      })
      .prepare(),
  };
});

function savePresence(db: Db, meetingId: number, version: number, row: Omit<typeof meetingPresence.$inferInsert, 'meetingId' | 'version'>): void {
  statements(db).upsert.run({ meetingId, version, ...row });
}

/** Writes what one command's events changed in `s`: the JSON document only for agenda, floor or roll-call header changes. */
export function saveChanges(db: Db, meetingId: number, s: ConferenceState, events: readonly ConferenceEvent[], now: number): void {
  if (events.some((e) => !ROW_EVENTS.has(e.type))) saveCore(db, meetingId, s, now);
  const { version } = s;
  for (const e of events) {
    if (e.type === 'presence:bridge') {
      const b = s.presence.bridges.find((x) => x.bridgePointId === e.bridgePointId);
      if (!b) continue;
      const { bridgePointId: memberId, status, delegatesPresent, updatedAt, updatedBy } = b;
      savePresence(db, meetingId, version, { kind: 'bridge', memberId, status, delegatesPresent, reason: null, joinedAt: b.joinedAt, updatedAt, updatedBy });
    } else if (e.type === 'presence:delegate') {
      const d = delegateOf(s.presence, e.userId);
      if (!d) continue;
      const { userId: memberId, status, reason, updatedAt, updatedBy } = d;
      savePresence(db, meetingId, version, { kind: 'delegate', memberId, status, delegatesPresent: null, reason, joinedAt: null, updatedAt, updatedBy });
    } else if (e.type === 'rollcall:confirmed') {
      const c = s.presence.rollCalls.find((r) => r.id === e.rollCallId)?.confirmations.find((x) => x.bridgePointId === e.bridgePointId);
      if (!c) continue;
      const key = and(
        eq(rollCallAnswers.meetingId, meetingId),
        eq(rollCallAnswers.rollCallId, e.rollCallId),
        eq(rollCallAnswers.bridgePointId, e.bridgePointId),
      );
      // Delete and insert, not update: a correction moves to the end, as the machine orders it.
      db.delete(rollCallAnswers).where(key).run();
      db.insert(rollCallAnswers).values({ meetingId, rollCallId: e.rollCallId, ...c, version }).run();
    }
  }
}

/** Bumped by triggers on every roster change (invitations, names, levels); see conference.schema.ts. */
export const rosterEpoch = (db: Db): number => statements(db).epoch.get()?.e ?? 0;

