/**
 * Recording tables. `recording_policy` is the secretariat's per-meeting say on
 * recording: the classification recordings of that meeting carry and, for a
 * confidential meeting, whether recording is allowed at all. `recordings` is
 * one recording of the main stage (its segments live under the data dir until
 * it is finalised into one file whose SHA-256 goes into the audit chain);
 * `recording_views` logs every playback grant.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Classification } from '@diemcau/shared';
import { meetings, users } from '../../db/schema.ts';

export const recordingPolicy = sqliteTable('recording_policy', {
  meetingId: integer('meeting_id')
    .primaryKey()
    .references(() => meetings.id, { onDelete: 'cascade' }),
  classification: text('classification').$type<Classification>().notNull(),
  /** Only meaningful for a confidential meeting: the secretariat's explicit permission to record it. */
  allowConfidential: integer('allow_confidential', { mode: 'boolean' }).notNull().default(false),
  setBy: integer('set_by').references(() => users.id),
  /** Epoch ms. */
  setAt: integer('set_at').notNull(),
});

export type RecordingStatus = 'recording' | 'finalizing' | 'ready' | 'interrupted' | 'failed' | 'deleted';

/** A chapter: an agenda item and where in the recording it begins. */
export interface RecordingChapter {
  itemId: number;
  title: string;
  offsetMs: number;
}

export const recordings = sqliteTable(
  'recordings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    status: text('status').$type<RecordingStatus>().notNull(),
    classification: text('classification').$type<Classification>().notNull(),
    /** Directory (relative to the recordings root) holding the segments and the final file. */
    dir: text('dir').notNull(),
    /** The encoder's process id while it runs, so a restarted server can stop an orphan. */
    pid: integer('pid'),
    startedBy: integer('started_by').references(() => users.id),
    stoppedBy: integer('stopped_by').references(() => users.id),
    /** Epoch ms. */
    startedAt: integer('started_at').notNull(),
    stoppedAt: integer('stopped_at'),
    stopReason: text('stop_reason'),
    durationMs: integer('duration_ms'),
    size: integer('size'),
    sha256: text('sha256'),
    chapters: text('chapters', { mode: 'json' }).$type<RecordingChapter[]>().notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('recordings_meeting_ix').on(t.meetingId), index('recordings_status_ix').on(t.status)],
);

export const recordingViews = sqliteTable(
  'recording_views',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordingId: integer('recording_id')
      .notNull()
      .references(() => recordings.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** Epoch ms. */
    at: integer('at').notNull(),
    ip: text('ip'),
    /** 'stream' or 'download'. */
    mode: text('mode').notNull(),
  },
  (t) => [index('recording_views_rec_ix').on(t.recordingId)],
);
