/** UI strings in English for recording: the live badge, the chair's control and the playback page. */
import type { RecordingKey } from './i18n-vi-recording.ts';

export const enRecording: Record<RecordingKey, string> = {
  'rec.on': 'Recording',
  'rec.start': 'Start recording',
  'rec.stop': 'Stop recording',
  'rec.confirmStop': 'Stop recording the meeting?',
  'rec.title': 'Meeting recordings',
  'rec.link': 'Recordings',
  'rec.back': 'Back to the meeting',
  'rec.none': 'No recording you may watch yet.',
  'rec.item': 'Recording {n}',
  'rec.duration': 'Duration',
  'rec.play': 'Watch',
  'rec.chapters': 'Agenda items',
  'rec.download': 'Download',
  'rec.interrupted': 'Interrupted (the server stopped abruptly); the complete segments were kept',
  'rec.status.ready': 'Complete',
  'rec.status.recording': 'Recording',
  'rec.status.finalizing': 'Finishing the file',
  'rec.status.failed': 'Failed',
  'rec.status.deleted': 'Deleted',
  'rec.status.interrupted': 'Interrupted',
  'rec.confidentialNote': 'Confidential recording: watched in this page only, never downloaded; every view is logged.',
  'listen.on': 'Listen only (weak link)',
  'listen.off': 'Show video again',
};
