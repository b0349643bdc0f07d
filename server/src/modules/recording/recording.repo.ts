/** Recording rows: policies, recordings and the view log, on the async data layer (db/database.ts). */
import { and, asc, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Classification } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { notFound } from '../../lib/app-error.ts';
import type { recordings, RecordingChapter, RecordingStatus } from './recording.schema.ts';

export type RecordingRow = typeof recordings.$inferSelect;
export type RecordingUpdate = Partial<Omit<RecordingRow, 'id' | 'meetingId'>>;

/** The default for a meeting the secretariat said nothing about: recordings restricted to signed-in participants. */
export const DEFAULT_CLASSIFICATION: Classification = 'restricted';

export async function policyOf({ q, t }: Store, meetingId: number): Promise<{ classification: Classification; allowConfidential: boolean }> {
  const [row] = await q.select().from(t.recordingPolicy).where(eq(t.recordingPolicy.meetingId, meetingId));
  return row ? { classification: row.classification, allowConfidential: row.allowConfidential } : { classification: DEFAULT_CLASSIFICATION, allowConfidential: false };
}

export async function setPolicy({ q, t }: Store, meetingId: number, p: { classification: Classification; allowConfidential: boolean }, userId: number, at: number): Promise<void> {
  const values = { meetingId, classification: p.classification, allowConfidential: p.allowConfidential, setBy: userId, setAt: at };
  await q.insert(t.recordingPolicy).values(values).onConflictDoUpdate({ target: t.recordingPolicy.meetingId, set: values });
}

export async function insertRecording({ q, t }: Store, r: { meetingId: number; classification: Classification; dir: string; startedBy: number; startedAt: number; chapters: RecordingChapter[] }): Promise<RecordingRow> {
  const [row] = await q.insert(t.recordings).values({ ...r, status: 'recording' }).returning();
  return row!;
}

export async function getRecording({ q, t }: Store, id: number): Promise<RecordingRow> {
  const [row] = await q.select().from(t.recordings).where(eq(t.recordings.id, id));
  if (!row) throw notFound('Recording');
  return row;
}

export async function updateRecording({ q, t }: Store, id: number, set: RecordingUpdate): Promise<RecordingRow> {
  const [row] = await q.update(t.recordings).set(set).where(eq(t.recordings.id, id)).returning();
  return row!;
}

export async function listForMeeting({ q, t }: Store, meetingId: number): Promise<RecordingRow[]> {
  return q.select().from(t.recordings).where(eq(t.recordings.meetingId, meetingId)).orderBy(asc(t.recordings.startedAt), asc(t.recordings.id));
}

/** Recordings left "recording" or "finalizing" by a server that stopped without finishing them. */
export async function unfinished({ q, t }: Store): Promise<RecordingRow[]> {
  const { recordings: r } = t;
  return q.select().from(r).where(inArray(r.status, ['recording', 'finalizing'] satisfies RecordingStatus[])).orderBy(asc(r.id));
}

/** Recordings whose retention ran out: stopped before `before` and not yet deleted. */
const EXPIRABLE: RecordingStatus[] = ['ready', 'interrupted', 'failed'];

export async function expired({ q, t }: Store, before: number): Promise<RecordingRow[]> {
  const { recordings: r } = t;
  return q
    .select()
    .from(r)
    .where(and(isNotNull(r.stoppedAt), lt(r.stoppedAt, before), inArray(r.status, EXPIRABLE)))
    .orderBy(asc(r.id));
}

/** Marks an expired recording deleted; false when another node's sweep already has (each node sweeps). */
export async function claimExpired({ q, t }: Store, id: number, deletedAt: number): Promise<boolean> {
  const { recordings: r } = t;
  const done = await q.update(r).set({ status: 'deleted', deletedAt }).where(and(eq(r.id, id), inArray(r.status, EXPIRABLE))).returning({ id: r.id });
  return done.length > 0;
}

export async function logView({ q, t }: Store, v: { recordingId: number; userId: number; at: number; ip: string | null; mode: 'stream' | 'download' }): Promise<void> {
  await q.insert(t.recordingViews).values(v);
}
