import { useState } from 'preact/hooks';
import { t, useLang } from '../lib/i18n.ts';
import { cameraBlockMessage, currentCameraBlock } from '../media/secure-context.ts';
import { Button, ErrorBox, PagePending } from '../components/ui.tsx';
import { useAction } from '../lib/use-async.ts';
import { useLiveMeeting } from '../live/use-live-meeting.ts';
import { RecordingBadge, useRecordingState } from '../live/recording.tsx';
import { AgendaNow, FloorAsk, PollHeader, PollResultView, SpeakerBox, TurnoutView } from '../live/widgets.tsx';
import { MainStage, SelfView } from '../live/MainStage.tsx';
import { useMediaSession } from '../live/use-media.ts';
import type { LocalState, MediaSession } from '../live/media-client.ts';
import { createStore, useStore } from '../lib/store.ts';
import { micOf, type LiveState } from '../live/state.ts';
import { Icon } from '../components/Icon.tsx';
import { HallCountForm } from '../live/HallCount.tsx';
import { usePageTitle } from '../lib/page-title.ts';
import { RollCallAlert } from './bridge/RollCallAlert.tsx';
import { MIC_ONLY } from './DelegateView.tsx';
import { queryParam } from '../lib/router.ts';

/** Camera and mic of this bridge, in words a hall technician reads from across the room. */
function DeviceState({ s, bp, session }: { s: LiveState; bp: number; session: MediaSession | null }) {
  const act = useAction();
  const l = useLang();
  const local = useStore(session?.local ?? NO_LOCAL);
  const mic = micOf(s, { type: 'bridge', bridgePointId: bp });
  const cam = s.media.producers.find((p) => p.kind === 'video' && p.source.type === 'bridge' && p.source.bridgePointId === bp);
  const camOn = !!cam && !cam.paused;
  const micOpen = !!mic && !mic.muted;
  const byChair = !!mic?.muted && (mic.by === 'chair' || mic.by === 'mute-all');
  const micText = micOpen ? t('dev.micOn') : byChair ? t('dev.mutedByChair') : mic ? t('dev.micWaiting') : t('dev.micOff');
  const block = local.error === 'insecure-origin' ? currentCameraBlock() : null;
  return (
    <div class="devices" role="status" aria-live="polite">
      <span class={`dev ${camOn ? 'dev-on' : 'dev-off'}`} data-camera={camOn ? 'on' : 'off'}>
        <Icon name={camOn ? 'camera' : 'cameraOff'} /> {camOn ? t('dev.camOn') : t('dev.camOff')}
      </span>
      <span class={`dev ${micOpen ? 'dev-on' : 'dev-off'} ${byChair ? 'dev-chair' : ''}`} data-mic={micOpen ? 'on' : (mic?.by ?? 'off')}>
        <Icon name={micOpen ? 'mic' : 'micOff'} /> {micText}
      </span>
      {local.error && <p class="callout">{block ? cameraBlockMessage(block, l) : `${t('dev.error')} (${local.error})`}</p>}
      <SelfView session={session} />
      {session && (local.camera === 'on' || local.camera === 'paused') && (
        <Button disabled={act.busy} onClick={() => void act.run(() => session.setCamera(local.camera !== 'on'))}>
          <Icon name={local.camera === 'on' ? 'cameraOff' : 'camera'} /> {local.camera === 'on' ? t('dev.camToggleOff') : t('dev.camToggleOn')}
        </Button>
      )}
      <ErrorBox error={act.error} />
    </div>
  );
}

const NO_LOCAL = createStore<LocalState>({ camera: 'off', mic: 'off', error: null });

/** The operator's "request the floor" button; shows the queue position once asked. */
function FloorButton({ s }: { s: LiveState }) {
  const you = s.you;
  if (!you || (you.role !== 'bridge_operator' && you.role !== 'delegate')) return null;
  // The bridge's request is its operator's, or any made for its bridge point.
  const mine = (r: { userId: number; bridgePointId: number | null }) => r.userId === you.userId || (you.bridgePointId !== null && r.bridgePointId === you.bridgePointId);
  return <FloorAsk s={s} class="floor-btn-wrap" canYield label="floor.request" action="floor-request" mine={mine} />;
}

const PUBLISH = { video: true, audio: true };

/** The bridge point's big display: stage, current item, speaker, poll; the operator's controls. */
export function BridgeScreen({ id }: { id: number }) {
  const live = useLiveMeeting(id);
  const rec = useRecordingState(id);
  const s = live.state;
  const operatorBp = s?.you?.role === 'bridge_operator' ? (s.you.bridgePointId ?? null) : null;
  usePageTitle(s?.meeting.title, t('title.bridge'));
  // Listen-only (?listen=1 or the toggle): audio in and out, no video, for a 300 kbps commune link.
  const [listen, setListen] = useState(() => queryParam('listen') === '1');
  const session = useMediaSession(s, operatorBp !== null ? (listen ? MIC_ONLY : PUBLISH) : null, { follow: { audioOnly: listen } });
  if (!s) return <PagePending error={live.error} class="screen" />;
  const bp = s.you?.bridgePointId ?? null;
  const { poll, result, turnout } = s.poll;
  return (
    <main id="main" class="screen" data-view="bridge" data-meeting={id}>
      <h1 class="sr-only">{s.meeting.title}</h1>
      {operatorBp !== null && <RollCallAlert s={s} bp={operatorBp} />}
      <div class="screen-grid">
        <div class="screen-stage">
          <MainStage s={s} session={session} />
        </div>
        <aside class="screen-side" aria-label={s.meeting.title}>
          <RecordingBadge state={rec} />
          <Button variant="ghost" aria-pressed={listen} data-action="listen-only" data-listen={listen ? 'on' : 'off'} onClick={() => setListen(!listen)}>
            {listen ? t('listen.off') : t('listen.on')}
          </Button>
          {s.meeting.status !== 'live' && <p class="callout">{t(`status.${s.meeting.status}`)}</p>}
          <AgendaNow s={s} big />
          <SpeakerBox s={s} />
          {poll && (poll.status === 'open' || result) && (
            <div class="screen-poll" data-poll={poll.id} data-poll-status={poll.status}>
              <PollHeader poll={poll} clockOffset={s.clockOffset} />
              {poll.status === 'open' && <TurnoutView turnout={turnout} />}
              {result && result.pollId === poll.id && <PollResultView poll={poll} result={result} />}
            </div>
          )}
          {bp !== null && <DeviceState s={s} bp={bp} session={operatorBp !== null ? session : null} />}
          <FloorButton s={s} />
          {operatorBp !== null && <HallCountForm s={s} bp={operatorBp} />}
        </aside>
      </div>
    </main>
  );
}
