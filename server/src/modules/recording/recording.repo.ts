/** Recording rows: policies, recordings and the view log. */
import { and, asc, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Classification } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { notFound } from '../../lib/app-error.ts';
import { recordingPolicy, recordings, recordingViews, type RecordingChapter, type RecordingStatus } from './recording.schema.ts';

export type RecordingRow = typeof recordings.$inferSelect;

/** The default for a meeting the secretariat said nothing about: recordings restricted to signed-in participants. */
export const DEFAULT_CLASSIFICATION: Classification = 'restricted';

export function policyOf(db: Db, meetingId: number): { classification: Classification; allowConfidential: boolean } {
  const row = db.select().from(recordingPolicy).where(eq(recordingPolicy.meetingId, meetingId)).get();
  return row ? { classification: row.classification, allowConfidential: row.allowConfidential } : { classification: DEFAULT_CLASSIFICATION, allowConfidential: false };
}

export function setPolicy(db: Db, meetingId: number, p: { classification: Classification; allowConfidential: boolean }, userId: number, at: number): void {
  const values = { meetingId, classification: p.classification, allowConfidential: p.allowConfidential, setBy: userId, setAt: at };
  db.insert(recordingPolicy).values(values).onConflictDoUpdate({ target: recordingPolicy.meetingId, set: values }).run();
}

export function insertRecording(db: Db, r: { meetingId: number; classification: Classification; dir: string; startedBy: number; startedAt: number; chapters: RecordingChapter[] }): RecordingRow {
  return db.insert(recordings).values({ ...r, status: 'recording' }).returning().get();
}

export function getRecording(db: Db, id: number): RecordingRow {
  const row = db.select().from(recordings).where(eq(recordings.id, id)).get();
  if (!row) throw notFound('Recording');
  return row;
}

export function updateRecording(db: Db, id: number, set: Partial<Omit<RecordingRow, 'id' | 'meetingId'>>): RecordingRow {
  return db.update(recordings).set(set).where(eq(recordings.id, id)).returning().get()!;
}

export function listForMeeting(db: Db, meetingId: number): RecordingRow[] {
  return db.select().from(recordings).where(eq(recordings.meetingId, meetingId)).orderBy(asc(recordings.startedAt)).all();
}

/** Recordings left "recording" or "finalizing" by a server that stopped without finishing them. */
export function unfinished(db: Db): RecordingRow[] {
  return db.select().from(recordings).where(inArray(recordings.status, ['recording', 'finalizing'] satisfies RecordingStatus[])).all();
}

/** Recordings whose retention ran out: stopped before `before` and not yet deleted. */
export function expired(db: Db, before: number): RecordingRow[] {
  return db
    .select()
    .from(recordings)
    .where(and(isNotNull(recordings.stoppedAt), lt(recordings.stoppedAt, before), inArray(recordings.status, ['ready', 'interrupted', 'failed'] satisfies RecordingStatus[])))
    .all();
}

export function logView(db: Db, v: { recordingId: number; userId: number; at: number; ip: string | null; mode: 'stream' | 'download' }): void {
  db.insert(recordingViews).values(v).run();
}
