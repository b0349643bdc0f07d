/**
 * Recording of the main stage: the live "Đang ghi hình" broadcast and the
 * HTTP shapes of recordings, their policy and playback grants. Starting and
 * stopping go over HTTP (the chair's console), so there are no socket commands.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ClassificationSchema } from './documents.ts';

const Id = Type.Integer({ minimum: 1 });
const Ms = Type.Integer({ minimum: 0 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const RECORDING_STATUSES = ['recording', 'finalizing', 'ready', 'interrupted', 'failed', 'deleted'] as const;
export const RecordingStatusSchema = Type.Enum(RECORDING_STATUSES);

/** Whether the meeting is being recorded now; every screen shows "Đang ghi hình" while `active`. */
export const RecordingState = Type.Object({
  meetingId: Id,
  active: Type.Boolean(),
  recordingId: Nullable(Id),
  startedAt: Nullable(Ms),
});
export type RecordingState = Static<typeof RecordingState>;

export const RecordingChapterSchema = Type.Object({ itemId: Id, title: Type.String(), offsetMs: Ms });

export const RecordingInfo = Type.Object({
  id: Id,
  meetingId: Id,
  status: RecordingStatusSchema,
  classification: ClassificationSchema,
  startedAt: Ms,
  stoppedAt: Nullable(Ms),
  stopReason: Nullable(Type.String()),
  durationMs: Nullable(Ms),
  size: Nullable(Ms),
  sha256: Nullable(Type.String()),
  chapters: Type.Array(RecordingChapterSchema),
  /** What the caller may do with it: stream in the page, also download, or nothing. */
  access: Type.Enum(['none', 'stream', 'download']),
});
export type RecordingInfo = Static<typeof RecordingInfo>;

export const RecordingPolicy = Type.Object({
  meetingId: Id,
  classification: ClassificationSchema,
  /** A confidential meeting is recorded only when the secretariat allowed it for that meeting. */
  allowConfidential: Type.Boolean(),
});
export type RecordingPolicy = Static<typeof RecordingPolicy>;

export const RecordingPolicyUpdate = Type.Object(
  { classification: ClassificationSchema, allowConfidential: Type.Boolean() },
  { additionalProperties: false },
);

/** A playback grant: the stream URL carries a short-lived token bound to the viewer; each grant is a logged view. */
export const RecordingGrant = Type.Object({ url: Type.String(), expiresAt: Ms, download: Nullable(Type.String()) });
export type RecordingGrant = Static<typeof RecordingGrant>;

export const recordingBroadcasts = {
  'recording:changed': RecordingState,
};
