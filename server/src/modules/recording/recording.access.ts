/**
 * Who may play a recording: pure rules, no DB. A recording carries the
 * classification its meeting had when it was recorded.
 * - public_to_meeting: every member of the meeting streams and downloads it;
 * - restricted: members signed in with a password stream it (QR sessions and
 *   observers do not); only the secretariat/admin of the meeting downloads;
 * - confidential: only participants signed in with a password (the meeting's
 *   secretariat/admin, its delegates and bridge operators) stream it, in the
 *   page; nobody gets a download link.
 */
import type { Classification } from '@diemcau/shared';
import type { Membership } from '../meetings/meetings.access.ts';

export type RecordingAccess = 'none' | 'stream' | 'download';

export interface Viewer {
  membership: Membership | null;
  /** The session was opened from a QR code, not with a password. */
  qrSession: boolean;
}

const isManager = (m: Membership) => m.kind === 'admin' || m.kind === 'secretariat';

export function recordingAccess(classification: Classification, v: Viewer): RecordingAccess {
  const m = v.membership;
  if (!m) return 'none';
  switch (classification) {
    case 'public_to_meeting':
      return 'download';
    case 'restricted':
      if (v.qrSession || m.kind === 'observer') return 'none';
      return isManager(m) ? 'download' : 'stream';
    case 'confidential':
      if (v.qrSession || m.kind === 'observer') return 'none';
      return 'stream';
  }
}

/** Whether a meeting with this policy may be recorded now. */
export function mayRecord(policy: { classification: Classification; allowConfidential: boolean }): boolean {
  return policy.classification !== 'confidential' || policy.allowConfidential;
}
