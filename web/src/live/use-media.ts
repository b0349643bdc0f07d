import { useEffect, useState } from 'preact/hooks';
import type { ProducerInfo } from '@diemcau/shared';
import { onBroadcast } from '../lib/socket.ts';
import { MediaSession, type PublishOptions } from './media-client.ts';
import type { LiveState } from './state.ts';

/** What a screen receives: the stage video and every mic that is open. */
export function wantedProducers(s: LiveState): ProducerInfo[] {
  return s.media.producers.filter((p) => (p.kind === 'video' ? p.producerId === s.media.stage.videoProducerId : !p.paused));
}

declare global {
  interface Window {
    /** Diagnostics for support staff and the browser tests: per-consumer bytes received. */
    diemcauMediaStats?: () => Promise<Record<string, { kind: string; bytesReceived: number }>>;
  }
}

/**
 * Runs a MediaSession while the meeting is live. A new join (reconnect, server
 * restart) or a `media:room-reset` replaces the session, since the server-side
 * room it talked to is gone.
 */
export function useMediaSession(s: LiveState | null, publish: PublishOptions | null, enabled = true): MediaSession | null {
  const [session, setSession] = useState<MediaSession | null>(null);
  const live = enabled && s?.meeting.status === 'live';
  const joinId = s?.joinId ?? 0;
  const pv = publish?.video ?? false;
  const pa = publish?.audio ?? false;
  useEffect(() => {
    if (!live || !joinId) return;
    let cancelled = false;
    let current: MediaSession | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const start = () => {
      MediaSession.create(pv || pa ? { video: pv, audio: pa } : null).then(
        (m) => {
          if (cancelled) return m.close();
          current = m;
          setSession(m);
          window.diemcauMediaStats = () => m.stats();
        },
        () => {
          if (!cancelled) retry = setTimeout(start, 3000);
        },
      );
    };
    start();
    const offReset = onBroadcast('media:room-reset', () => {
      current?.close();
      current = null;
      setSession(null);
      clearTimeout(retry);
      start();
    });
    return () => {
      cancelled = true;
      clearTimeout(retry);
      offReset();
      current?.close();
      setSession(null);
    };
  }, [live, joinId, pv, pa]);

  const producers = s?.media.producers;
  const stage = s?.media.stage.videoProducerId;
  useEffect(() => {
    if (session && s) session.sync(wantedProducers(s));
  }, [session, producers, stage]);
  return session;
}
