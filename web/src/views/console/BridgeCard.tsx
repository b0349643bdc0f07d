import { useEffect, useRef } from 'preact/hooks';
import type { BridgePresenceView, SourceRef } from '@diemcau/shared';
import { send } from '../../lib/socket.ts';
import { t, type MsgKey } from '../../lib/i18n.ts';
import { Button } from '../../components/ui.tsx';
import { micOf, sameSource, type LiveState } from '../../live/state.ts';
import { Icon } from '../../components/Icon.tsx';
import { shortName, type Conn, type FilterContext } from './bridge-filter.ts';

function Thumb({ track, label }: { track: MediaStreamTrack; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = new MediaStream([track]);
  }, [track]);
  return <video ref={ref} class="thumb" autoplay playsInline muted aria-label={label} />;
}

const isOff = (c: Conn) => c === 'never' || c === 'dropped';

export interface CardProps {
  s: LiveState;
  b: BridgePresenceView;
  ctx: FilterContext;
  chair: boolean;
  busy: boolean;
  track?: MediaStreamTrack | undefined;
  run(fn: () => Promise<unknown>): void;
}

/** One bridge in full: connection, head count, mic, roll-call, floor; the chair's stage and mute buttons. */
export function BridgeCard({ s, b, ctx, chair, busy, track, run }: CardProps) {
  const src: SourceRef = { type: 'bridge', bridgePointId: b.bridgePointId };
  const conn = ctx.conn.get(b.bridgePointId) ?? 'never';
  const mic = micOf(s, src);
  const onStage = sameSource(s.media.stage.source, src);
  const speaking = sameSource(s.media.activeSpeaker.source, src);
  const micOpen = !!mic && !mic.muted;
  return (
    <li class={`bridge-card bconn-${conn} ${onStage ? 'on-stage' : ''} ${speaking ? 'speaking' : ''}`} data-bridge={b.bridgePointId} data-bconn={conn} data-link={isOff(conn) ? 'offline' : conn} data-status={b.status}>
      {track && <Thumb track={track} label={b.name} />}
      <div class="bridge-name">
        {b.name} <span class="bridge-code">{b.code}</span>
      </div>
      <div class="bridge-meta">
        <span class={`pill pill-${conn}`}>{t(`conn.${conn}` as MsgKey)}</span>
        <span>
          <Icon name="people" /> <span class="sr-only">{t('grid.present')}: </span>
          {b.delegatesPresent}
        </span>
        <span data-mic={micOpen ? 'open' : 'muted'}>
          <Icon name={micOpen ? 'mic' : 'micOff'} />
          <span class="sr-only">{micOpen ? t('dev.micOn') : t('dev.micOff')}</span>
        </span>
        {ctx.confirmed?.has(b.bridgePointId) && (
          <span title={t('grid.confirmedRc')}>
            <Icon name="check" /> <span class="sr-only">{t('grid.confirmedRc')}</span>
          </span>
        )}
        {ctx.floor.has(b.bridgePointId) && (
          <span title={t('grid.asking')}>
            <Icon name="hand" /> <span class="sr-only">{t('grid.asking')}</span>
          </span>
        )}
        {onStage && <span class="pill pill-stage">{t('grid.onStage')}</span>}
      </div>
      {chair && (
        <div class="actions">
          <Button variant="ghost" disabled={busy || onStage || isOff(conn)} aria-label={`${t('grid.toStage')}: ${b.name}`} onClick={() => run(() => send('stage:set', { source: src }))}>
            <Icon name="screen" />
          </Button>
          <Button variant="ghost" disabled={busy || isOff(conn)} aria-label={`${micOpen ? t('media.mute') : t('media.unmute')}: ${b.name}`} onClick={() => run(() => send('media:mute', { source: src, muted: micOpen }))}>
            <Icon name={micOpen ? 'micOff' : 'mic'} />
          </Button>
        </div>
      )}
    </li>
  );
}

/**
 * One bridge in the compact view: a small tile, so 213 fit on one screen.
 * Its state is in the colour, a mark and the accessible name; pressing it
 * shows the full card (with the chair's buttons) above the grid.
 */
export function BridgeChip({ b, ctx, selected, onSelect }: { b: BridgePresenceView; ctx: FilterContext; selected: boolean; onSelect(): void }) {
  const conn = ctx.conn.get(b.bridgePointId) ?? 'never';
  const confirmed = ctx.confirmed?.has(b.bridgePointId) ?? false;
  const asking = ctx.floor.has(b.bridgePointId);
  const state = [t(`conn.${conn}` as MsgKey), confirmed ? t('grid.confirmedRc') : '', asking ? t('grid.asking') : ''].filter(Boolean).join(', ');
  return (
    <li class={`bridge-chip bconn-${conn}`} data-bridge={b.bridgePointId} data-bconn={conn} data-status={b.status}>
      <button type="button" aria-pressed={selected} title={`${b.name} (${b.code}): ${state}`} onClick={onSelect}>
        <span class="chip-name">{shortName(b.name)}</span>
        <span class="sr-only">: {state}</span>
        {confirmed && <Icon name="check" />}
        {asking && <Icon name="hand" />}
      </button>
    </li>
  );
}
