/**
 * Conference room persistence. The agenda, floor and roll-call headers of a
 * meeting are one small JSON document; each bridge's and delegate's presence
 * and each roll-call answer is its own row, so a check-in writes one row, not
 * the meeting. Everything a command changes is written in one transaction
 * before any ack; times are epoch milliseconds, so running timers and
 * speeches survive a restart.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { BridgeStatus, DelegateStatus, FloorEndReason } from '@diemcau/shared';
import { meetings } from '../../db/schema.ts';
import type { StoredCore } from './presence.repo.ts';

export const conferenceState = sqliteTable('conference_state', {
  meetingId: integer('meeting_id')
    .primaryKey()
    .references(() => meetings.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  state: text('state', { mode: 'json' }).$type<StoredCore>().notNull(),
  /** Epoch ms of the last change. */
  updatedAt: integer('updated_at').notNull(),
});

export type FloorLogKind = 'requested' | 'withdrawn' | 'reordered' | 'granted' | 'revoked';

/** Every floor request, withdrawal, reorder, grant and revocation, for the minutes. */
export const floorLog = sqliteTable(
  'floor_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    /** Epoch ms when it happened (for an expiry: when the time ran out). */
    at: integer('at').notNull(),
    kind: text('kind').$type<FloorLogKind>().notNull(),
    requestId: integer('request_id'),
    itemId: integer('item_id'),
    userId: integer('user_id'),
    bridgePointId: integer('bridge_point_id'),
    displayName: text('display_name'),
    topic: text('topic'),
    limitMs: integer('limit_ms'),
    reason: text('reason').$type<FloorEndReason>(),
    /** Who did it; null when the server did (expiry, item change). */
    byUserId: integer('by_user_id'),
    /** The new queue order, for `reordered`. */
    details: text('details', { mode: 'json' }).$type<unknown>(),
  },
  (t) => [index('floor_log_meeting_ix').on(t.meetingId, t.at)],
);

/**
 * The presence of one invited bridge point (`bridge`) or delegate (`delegate`)
 * as the presence machine last set it. No row means never set (offline /
 * unknown). `version` is the conference version the change made, so the
 * meeting's version survives a restart without rewriting the JSON document.
 */
export const meetingPresence = sqliteTable(
  'meeting_presence',
  {
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'bridge' | 'delegate'>().notNull(),
    /** Bridge point id or user id, after `kind`. */
    memberId: integer('member_id').notNull(),
    status: text('status').$type<BridgeStatus | DelegateStatus>().notNull(),
    /** A bridge's reported head count; null for a delegate. */
    delegatesPresent: integer('delegates_present'),
    /** A delegate's reason for an absence. */
    reason: text('reason'),
    /** When a bridge first came online in this meeting (never-joined vs dropped); null for a delegate or never. */
    joinedAt: integer('joined_at'),
    updatedAt: integer('updated_at'),
    updatedBy: integer('updated_by'),
    version: integer('version').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.kind, t.memberId] })],
);

/** Each bridge's answer to a roll-call; a correction replaces it (new id, so the order is the answering order). */
export const rollCallAnswers = sqliteTable(
  'roll_call_answers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    rollCallId: integer('roll_call_id').notNull(),
    bridgePointId: integer('bridge_point_id').notNull(),
    delegatesPresent: integer('delegates_present').notNull(),
    at: integer('at').notNull(),
    by: integer('by').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [uniqueIndex('roll_call_answers_uq').on(t.meetingId, t.rollCallId, t.bridgePointId)],
);

/**
 * One row, bumped by triggers (migration 0003, hand-written block) whenever an
 * invitation or a name/level a roster shows changes, so the in-memory room
 * knows in O(1) per command whether to re-read its roster.
 */
export const conferenceRosterEpoch = sqliteTable('conference_roster_epoch', {
  id: integer('id').primaryKey(),
  epoch: integer('epoch').notNull(),
});
