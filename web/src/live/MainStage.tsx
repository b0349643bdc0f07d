import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../lib/i18n.ts';
import { createStore, useStore } from '../lib/store.ts';
import type { LocalState, MediaSession } from './media-client.ts';
import type { LiveState } from './state.ts';
import { Icon } from '../components/Icon.tsx';
import { send } from '../lib/socket.ts';
import { useAction } from '../lib/use-async.ts';

/**
 * The chair's pin: unpinned, the stage follows the floor (the speaking bridge,
 * then back to the chair's hall); pinned, it stays where the chair put it.
 */
function StagePin({ pinned }: { pinned: boolean }) {
  const act = useAction();
  return (
    <button
      type="button"
      class={`btn ${pinned ? 'btn-primary' : 'btn-ghost'} stage-pin`}
      aria-pressed={pinned}
      disabled={act.busy}
      data-action="stage-pin"
      title={pinned ? t('stage.unpin') : t('stage.pin')}
      onClick={() => void act.run(() => send('stage:pin', { pinned: !pinned }))}
    >
      📌 {pinned ? t('stage.pinned') : t('stage.pin')}
    </button>
  );
}

const NO_TRACKS = createStore<ReadonlyMap<string, MediaStreamTrack>>(new Map());
const NO_LOCAL = createStore<LocalState>({ camera: 'off', mic: 'off', error: null });

function useSrcObject<T extends HTMLMediaElement>(track: MediaStreamTrack | undefined, onBlocked: () => void) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = track ? new MediaStream([track]) : null;
    if (track) el.play().catch(onBlocked);
  }, [track]);
  return ref;
}

function AudioSink({ track, producerId, onBlocked }: { track: MediaStreamTrack; producerId: string; onBlocked(): void }) {
  const ref = useSrcObject<HTMLAudioElement>(track, onBlocked);
  return <audio ref={ref} autoplay data-producer={producerId} />;
}

/**
 * The main stage: whoever the chair put on stage, large, plus the sound of
 * every open mic. Browsers may block sound until a tap; then a big button asks for it.
 */
export function MainStage({ s, session }: { s: LiveState; session: MediaSession | null }) {
  const tracks = useStore(session?.tracks ?? NO_TRACKS);
  const [blocked, setBlocked] = useState(false);
  const stage = s.media.stage;
  const local = useStore(session?.local ?? NO_LOCAL);
  const own = !!stage.videoProducerId && !!session?.ownProducerIds.includes(stage.videoProducerId);
  // The bridge on stage shows its own camera from the local stream rather than a loop through the server.
  const videoTrack = stage.videoProducerId ? (own && local.camera === 'on' ? session?.localStream?.getVideoTracks()[0] : tracks.get(stage.videoProducerId)) : undefined;
  const videoRef = useSrcObject<HTMLVideoElement>(videoTrack, () => {});
  const label = s.media.producers.find((p) => p.producerId === stage.videoProducerId || p.producerId === stage.audioProducerId)?.label;
  const audios = s.media.producers.filter((p) => p.kind === 'audio' && !p.paused && tracks.has(p.producerId));
  const live = s.meeting.status === 'live';
  return (
    <div class="stage" role="region" aria-label={t('stage.title')} data-stage-producer={stage.videoProducerId ?? ''} data-stage-playing={videoTrack ? 'yes' : 'no'}>
      <video ref={videoRef} autoplay playsInline muted hidden={!videoTrack} aria-label={label ?? t('stage.title')} />
      {live && s.you?.chair && session && <StagePin pinned={!!stage.pinned} />}
      {!videoTrack && <div class="stage-empty" data-stage-text={s.meeting.status}>{s.meeting.status === 'ended' ? t('ended.stage') : !live ? t('stage.notLive') : session ? (stage.videoProducerId ? t('stage.connecting') : t('stage.empty')) : t('stage.connecting')}</div>}
      {label && videoTrack && <div class="stage-label">{label}</div>}
      {audios.map((p) => (
        <AudioSink key={p.producerId} producerId={p.producerId} track={tracks.get(p.producerId)!} onBlocked={() => setBlocked(true)} />
      ))}
      {blocked && (
        <button
          type="button"
          class="btn btn-primary btn-big stage-sound"
          onClick={() => {
            setBlocked(false);
            document.querySelectorAll<HTMLMediaElement>('.stage audio, .stage video').forEach((el) => void el.play().catch(() => setBlocked(true)));
          }}
        >
          <Icon name="sound" /> {t('stage.enableSound')}
        </button>
      )}
    </div>
  );
}

/** Small self-view of this bridge's own camera. */
export function SelfView({ session }: { session: MediaSession | null }) {
  const local = useStore(session?.local ?? NO_LOCAL);
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = local.camera === 'on' || local.camera === 'paused' ? (session?.localStream ?? null) : null;
  }, [session, local.camera]);
  if (local.camera !== 'on' && local.camera !== 'paused') return null;
  return <video ref={ref} class="self-view" autoplay playsInline muted aria-label={t('dev.selfView')} />;
}
