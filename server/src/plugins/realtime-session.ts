/**
 * Keeps a long-lived Socket.IO connection tied to the session it was opened with:
 * a dead session is never recovered, and a live connection ends when its session does.
 */
import type { Server, Socket } from 'socket.io';

/** How often a connection re-reads its session from the store (revocations also cut it at once). */
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
export function refuseDeadRecovery(io: Server, isLive: (sessionId: string | null) => boolean): void {
  const adapter = io.of('/').adapter;
  const restore = adapter.restoreSession.bind(adapter);
  // (Typed as always resolving a session, but the in-memory adapter resolves null when it has none.)
  adapter.restoreSession = (async (pid: string, offset: string) => {
    const session = await restore(pid, offset);
    const data = session?.data as SessionData | undefined;
    return session && isLive(data?.user?.sessionId ?? null) ? session : null;
  }) as typeof adapter.restoreSession;
}

/**
 * Cuts `socket` when its session reaches expiresAt, and answers per command whether the session
 * still holds: the expiry in memory, the store at most once a second per connection.
 */
export function watchSession(socket: Socket, isLive: (sessionId: string | null) => boolean): { live(): boolean; stop(): void } {
  const user = () => (socket.data as SessionData).user;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const end = user()?.sessionExpiresAt;
    if (end == null) return;
    timer = setTimeout(() => (Date.now() >= end ? socket.disconnect(true) : arm()), Math.min(MAX_TIMER_MS, Math.max(0, end - Date.now())));
  };
  arm();
  let checkedAt = Date.now();
  return {
    live() {
      const u = user();
      if (!u || (u.sessionExpiresAt != null && Date.now() >= u.sessionExpiresAt)) return false;
      if (Date.now() - checkedAt < SESSION_RECHECK_MS) return true;
      checkedAt = Date.now();
      return isLive(u.sessionId);
    },
    stop: () => clearTimeout(timer),
  };
}
