/**
 * Recording on the live screens: the "Đang ghi hình" badge every screen of a
 * meeting shows while the main stage is recorded (kept current by the
 * `recording:changed` broadcast and re-read after each reconnect), and the
 * chair's start/stop control.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RecordingGrant, RecordingInfo, RecordingPolicy, RecordingState } from '@diemcau/shared';
import { request } from '../lib/api.ts';
import { t } from '../lib/i18n.ts';
import { connection, onBroadcast } from '../lib/socket.ts';
import { useStore } from '../lib/store.ts';
import { useAction } from '../lib/use-async.ts';
import { Button, ErrorBox } from '../components/ui.tsx';

export interface RecordingOverview {
  state: RecordingState;
  policy: RecordingPolicy;
  recordings: RecordingInfo[];
}

export const recordingApi = {
  overview: (meetingId: number) => request<RecordingOverview>('GET', `/api/meetings/${meetingId}/recording`),
  start: (meetingId: number) => request<RecordingState>('POST', `/api/meetings/${meetingId}/recording/start`),
  stop: (meetingId: number) => request<RecordingInfo>('POST', `/api/meetings/${meetingId}/recording/stop`),
  grant: (recordingId: number) => request<RecordingGrant>('POST', `/api/recordings/${recordingId}/grant`),
};

/** Whether the meeting is being recorded now. */
export function useRecordingState(meetingId: number): RecordingState | null {
  const [state, setState] = useState<RecordingState | null>(null);
  const epoch = useStore(connection).epoch;
  useEffect(() => {
    let live = true;
    // A missed broadcast while offline is made good by reading the state after each reconnect.
    recordingApi.overview(meetingId).then((o) => live && setState(o.state), () => {});
    const off = onBroadcast('recording:changed', (s) => s.meetingId === meetingId && setState(s));
    return () => {
      live = false;
      off();
    };
  }, [meetingId, epoch]);
  return state;
}

export function RecordingBadge({ state }: { state: RecordingState | null }) {
  if (!state?.active) return null;
  return (
    <span class="rec-badge" role="status" data-recording="on">
      <span class="rec-dot" aria-hidden="true" />
      {t('rec.on')}
    </span>
  );
}

/** The chair's start/stop button with the badge. */
export function RecordingControl({ meetingId }: { meetingId: number }) {
  const state = useRecordingState(meetingId);
  const act = useAction();
  const active = !!state?.active;
  return (
    <div class="rec-control">
      <RecordingBadge state={state} />
      {active ? (
        <Button variant="danger" disabled={act.busy} data-action="recording-stop" onClick={() => window.confirm(t('rec.confirmStop')) && void act.run(() => recordingApi.stop(meetingId))}>
          ■ {t('rec.stop')}
        </Button>
      ) : (
        <Button disabled={act.busy} data-action="recording-start" onClick={() => void act.run(() => recordingApi.start(meetingId))}>
          ● {t('rec.start')}
        </Button>
      )}
      <ErrorBox error={act.error} />
    </div>
  );
}
