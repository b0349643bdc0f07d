/**
 * Conference room persistence. The live state of a meeting is one JSON
 * document (agenda position, timers, floor, presence, roll-calls) written in
 * the same transaction as the floor log, before any ack; times inside it are
 * epoch milliseconds, so running timers and speeches survive a restart.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { FloorEndReason } from '@diemcau/shared';
import { meetings } from '../../db/schema.ts';
import type { ConferenceState } from './conference.machine.ts';

export const conferenceState = sqliteTable('conference_state', {
  meetingId: integer('meeting_id')
    .primaryKey()
    .references(() => meetings.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  state: text('state', { mode: 'json' }).$type<ConferenceState>().notNull(),
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
