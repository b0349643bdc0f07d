import { useEffect, useState } from 'preact/hooks';
import type { InboundStats } from '../media/conference-media.ts';
import type { FollowOptions } from '../media/follow.ts';
import { MediaSession, type PublishOptions } from './media-client.ts';
import type { LiveState } from './state.ts';

declare global {
  interface Window {
    /** Diagnostics for support staff and the browser tests: what this page receives. */
    diemcauMediaStats?: () => Promise<InboundStats[]>;
  }
}

/**
 * Runs a MediaSession while the meeting is live. A new join (reconnect, server
 * restart) replaces the session, since the server-side peer it talked to is gone.
 */
export function useMediaSession(s: LiveState | null, publish: PublishOptions | null, opts: { enabled?: boolean; follow?: FollowOptions } = {}): MediaSession | null {
  const [session, setSession] = useState<MediaSession | null>(null);
  const wanted = opts.enabled ?? true;
  // Fetch and compile the WebRTC library while the meeting snapshot is still on its way,
  // rather than after it: one step less between page open and the first stage frame.
  // (A delegate's phone, which uses media only when given the floor, does not.)
  useEffect(() => {
    if (wanted) import('mediasoup-client').catch(() => {});
  }, [wanted]);
  const live = wanted && s?.meeting.status === 'live';
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
    return () => {
      cancelled = true;
      clearTimeout(retry);
      current?.close();
      setSession(null);
    };
  }, [live, joinId, pv, pa]);

  const media = s?.media;
  const page = opts.follow?.gridPage;
  useEffect(() => {
    if (session && media) session.sync(media, opts.follow);
  }, [session, media?.producers, media?.stage, opts.follow?.grid, page, opts.follow?.audioOnly]);
  return session;
}
