import { useEffect, useRef, useState } from 'preact/hooks';
import { createStore, useStore } from '../../lib/store.ts';
import { GRID_PAGE_SIZE, gridProducers } from '../../media/follow.ts';
import type { MediaSession } from '../../live/media-client.ts';
import type { BridgeLevel, SourceRef } from '@diemcau/shared';
import { send } from '../../lib/socket.ts';
import { t, type MsgKey } from '../../lib/i18n.ts';
import { Button, ErrorBox } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import { linkOf, micOf, sameSource, type LiveState } from '../../live/state.ts';
import { Icon } from '../../components/Icon.tsx';

const LEVEL_ORDER: Record<BridgeLevel, number> = { provincial: 0, district: 1, commune: 2 };

const NO_TRACKS = createStore<ReadonlyMap<string, MediaStreamTrack>>(new Map());

function Thumb({ track, label }: { track: MediaStreamTrack; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = new MediaStream([track]);
  }, [track]);
  return <video ref={ref} class="thumb" autoplay playsInline muted aria-label={label} />;
}

/**
 * Every invited bridge point: presence, link quality, mic, and for the current
 * video page a small live picture. The chair puts one on stage or mutes it.
 */
export function BridgeGrid(props: { s: LiveState; chair: boolean; session?: MediaSession | null; page?: number; onPage?(n: number): void }) {
  const { s, chair } = props;
  const act = useAction();
  const tracks = useStore(props.session?.tracks ?? NO_TRACKS);
  const videoPages = Math.max(1, Math.ceil(gridProducers(s.media.producers).length / GRID_PAGE_SIZE));
  const page = Math.min(props.page ?? 0, videoPages - 1);
  const [level, setLevel] = useState<BridgeLevel | 'all'>('all');
  const bridges = s.presence.bridges
    .filter((b) => level === 'all' || b.level === level)
    .sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.name.localeCompare(b.name, 'vi'));
  return (
    <section class="panel" aria-labelledby="grid-h">
      <div class="page-head">
        <h2 id="grid-h">{t('grid.title')}</h2>
        <label class="inline-field">
          <span>{t('grid.level')}</span>
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value as BridgeLevel | 'all')}>
            <option value="all">{t('grid.all')}</option>
            <option value="provincial">{t('level.provincial')}</option>
            <option value="district">{t('level.district')}</option>
            <option value="commune">{t('level.commune')}</option>
          </select>
        </label>
      </div>
      {videoPages > 1 && props.onPage && (
        <div class="actions">
          <Button variant="ghost" disabled={page === 0} aria-label={t('grid.prevPage')} onClick={() => props.onPage!(page - 1)}>
            ◂
          </Button>
          <span>{t('grid.videoPage', { n: page + 1, total: videoPages })}</span>
          <Button variant="ghost" disabled={page >= videoPages - 1} aria-label={t('grid.nextPage')} onClick={() => props.onPage!(page + 1)}>
            ▸
          </Button>
        </div>
      )}
      <ErrorBox error={act.error} />
      <ul class="bridge-grid">
        {bridges.map((b) => {
          const src: SourceRef = { type: 'bridge', bridgePointId: b.bridgePointId };
          const link = linkOf(s, src);
          const mic = micOf(s, src);
          const onStage = sameSource(s.media.stage.source, src);
          const speaking = sameSource(s.media.activeSpeaker.source, src);
          const linkState = b.status === 'offline' ? 'offline' : (link?.state ?? 'good');
          const video = s.media.producers.find((p) => p.kind === 'video' && sameSource(p.source, src));
          const thumb = video ? tracks.get(video.producerId) : undefined;
          return (
            <li key={b.bridgePointId} class={`bridge-card status-${b.status} link-${linkState} ${onStage ? 'on-stage' : ''} ${speaking ? 'speaking' : ''}`} data-bridge={b.bridgePointId} data-link={linkState} data-status={b.status}>
              {thumb && <Thumb track={thumb} label={b.name} />}
              <div class="bridge-name">{b.name}</div>
              <div class="bridge-meta">
                <span class={`pill pill-${linkState}`}>{t(`link.${linkState}` as MsgKey)}</span>
                <span>
                  <Icon name="people" /> <span class="sr-only">{t('grid.present')}: </span>
                  {b.delegatesPresent}
                </span>
                <span data-mic={mic && !mic.muted ? 'open' : 'muted'}>
                  <Icon name={mic && !mic.muted ? 'mic' : 'micOff'} />
                  <span class="sr-only">{mic && !mic.muted ? t('dev.micOn') : t('dev.micOff')}</span>
                </span>
                {onStage && <span class="pill pill-stage">{t('grid.onStage')}</span>}
              </div>
              {chair && (
                <div class="actions">
                  <Button variant="ghost" disabled={act.busy || onStage || b.status === 'offline'} aria-label={`${t('grid.toStage')}: ${b.name}`} onClick={() => void act.run(() => send('stage:set', { source: src }))}>
                    <Icon name="screen" />
                  </Button>
                  <Button variant="ghost" disabled={act.busy || b.status === 'offline'} aria-label={`${mic && !mic.muted ? t('media.mute') : t('media.unmute')}: ${b.name}`} onClick={() => void act.run(() => send('media:mute', { source: src, muted: !(mic?.muted ?? true) }))}>
                    <Icon name={mic && !mic.muted ? 'micOff' : 'mic'} />
                  </Button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
