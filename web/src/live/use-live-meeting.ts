import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.ts';
import { joinMeeting, onBroadcast } from '../lib/socket.ts';
import { fromSnapshot, LIVE_BROADCASTS, reduce, type LiveState, type SnapshotIn } from './state.ts';

export interface LiveMeeting {
  state: LiveState | null;
  error: ApiError | null;
  /** Applies a command's ack locally (the broadcast will confirm it). */
  patch(fn: (s: LiveState) => LiveState): void;
}

/**
 * Joins a meeting and keeps its live state. On every reconnect the join is
 * repeated and the fresh snapshot replaces the state, so nothing missed while
 * offline lingers.
 */
export function useLiveMeeting(meetingId: number): LiveMeeting {
  const [state, setState] = useState<LiveState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setState(null);
    setError(null);
    const offs = LIVE_BROADCASTS.map((name) => onBroadcast(name, (p: unknown) => setState((s) => (s ? reduce(s, name, p) : s))));
    const leave = joinMeeting<SnapshotIn>(meetingId, {
      onSnapshot: (snap) => {
        setError(null);
        setState(fromSnapshot(snap));
      },
      onError: setError,
    });
    return () => {
      offs.forEach((off) => off());
      leave();
    };
  }, [meetingId]);
  return { state, error, patch: (fn) => setState((s) => (s ? { ...fn(s), rev: s.rev + 1 } : s)) };
}

/** Re-renders every `ms` while mounted (countdowns). */
export function useNow(ms = 500): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(h);
  }, [ms]);
  return now;
}
