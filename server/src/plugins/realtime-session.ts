/**
 * Keeps a long-lived Socket.IO connection tied to the session it was opened with:
 * a dead session is never recovered, and a live connection ends when its session does.
 */
import type { Server, Socket } from 'socket.io';

/** How often the live connections' sessions are re-read from the store (revocations in this process cut them at once). */
const SESSION_RECHECK_MS = 1000;
/** setTimeout's ceiling; a later session end is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface SessionData {
  user?: { sessionId: string | null; sessionExpiresAt: number | null };
}

/**
 * socket.io replays the packets a recovered connection missed as soon as it restores the session,
 * before any middleware runs: a session that ended meanwhile is not restored at all, so the client
 * starts afresh and the handshake check refuses it.
 */
export function refuseDeadRecovery(io: Server, isLive: (sessionId: string | null) => Promise<boolean>): void {
  const adapter = io.of('/').adapter;
  const restore = adapter.restoreSession.bind(adapter);
  // (Typed as always resolving a session, but the in-memory adapter resolves null when it has none.)
  adapter.restoreSession = (async (pid: string, offset: string) => {
    const session = await restore(pid, offset);
    const data = session?.data as SessionData | undefined;
    return session && (await isLive(data?.user?.sessionId ?? null)) ? session : null;
  }) as typeof adapter.restoreSession;
}

/**
 * Cuts `socket` when its session reaches expiresAt, and answers per command whether the session
 * still holds by its expiry in memory; the store is asked by `sweepSessions` for all connections at once.
 */
export function watchSession(socket: Socket): { live(): boolean; stop(): void } {
  const user = () => (socket.data as SessionData).user;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const end = user()?.sessionExpiresAt;
    if (end == null) return;
    timer = setTimeout(() => (Date.now() >= end ? socket.disconnect(true) : arm()), Math.min(MAX_TIMER_MS, Math.max(0, end - Date.now())));
  };
  arm();
  return {
    live() {
      const u = user();
      return !!u && (u.sessionExpiresAt == null || Date.now() < u.sessionExpiresAt);
    },
    stop: () => clearTimeout(timer),
  };
}

/** The sweep runs this many times per interval, each time over one share of the sessions. */
const SWEEP_SHARES = 4;

/**
 * Asks the store which of the connected sockets' sessions still hold (a query per thousand), and cuts the
 * sockets of the others: all of them, or those of one share (`sweepSessions`).
 */
export async function sweepOnce(io: Server, liveOf: (ids: readonly string[]) => Promise<Set<string>>, onError: (err: unknown) => void, share?: number): Promise<void> {
  try {
    const sockets = [...io.of('/').sockets.values()].filter((s) => {
      const id = (s.data as SessionData).user?.sessionId;
      return id != null && (share === undefined || shareOf(id) === share);
    });
    const ids = [...new Set(sockets.map((s) => (s.data as SessionData).user!.sessionId!))];
    if (!ids.length) return;
    const live = await liveOf(ids);
    for (const s of sockets) if (!live.has((s.data as SessionData).user!.sessionId!)) s.disconnect(true);
  } catch (err) {
    onError(err);
  }
}

/**
 * Runs `sweepOnce` over every session once a second: a session ended where this process was not
 * told (another process, a manual clean-up) ends its connections within about a second. It used to
 * be one read per command per connection, which at 2,000 phones voting at once was a read per
 * ballot. It checks a quarter of the sessions every quarter second, one query each time: a single
 * query for 2,000 sessions held the event loop ~15 ms, long enough to show in the acks of a vote.
 * Returns the function that stops it.
 */
export function sweepSessions(io: Server, liveOf: (ids: readonly string[]) => Promise<Set<string>>, onError: (err: unknown) => void, intervalMs = SESSION_RECHECK_MS): () => void {
  let tick = 0;
  // One sweep at a time: a share whose turn comes while the store is still answering the last one waits for its next turn.
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void sweepOnce(io, liveOf, onError, tick++ % SWEEP_SHARES).finally(() => (sweeping = false));
  }, intervalMs / SWEEP_SHARES);
  timer.unref();
  return () => clearInterval(timer);
}

/** A session's share: its id is a token hash, so its last character spreads the sessions roughly evenly. */
const shareOf = (sessionId: string): number => sessionId.charCodeAt(sessionId.length - 1) % SWEEP_SHARES;
