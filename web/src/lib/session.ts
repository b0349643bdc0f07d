/** Who is signed in. `undefined` while the first /api/auth/me is in flight. */
import type { Me, Role } from '@diemcau/shared';
import { api, ApiError } from './api.ts';
import { createStore, useStore } from './store.ts';
import { connect, disconnect } from './socket.ts';
import { clearBallots } from './ballot-store.ts';

export const session = createStore<Me | null | undefined>(undefined);

export async function loadSession(): Promise<void> {
  try {
    session.set(await api.auth.me());
    connect();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'NETWORK') {
      // Server unreachable at boot (e.g. restarting): try again shortly rather than show a login form.
      setTimeout(() => void loadSession(), 2000);
      return;
    }
    session.set(null);
  }
}

export async function login(username: string, password: string): Promise<Me> {
  const me = await api.auth.login(username, password);
  // The login response may omit fields /me has; /me is the source of truth.
  const full = await api.auth.me().catch(() => me);
  session.set(full);
  disconnect();
  connect();
  return full;
}

export async function logout(): Promise<void> {
  await api.auth.logout().catch(() => {});
  disconnect();
  clearBallots();
  session.set(null);
}

/** True when this browser came in with a delegate's QR code (a session confined to one meeting, no confidential pages). */
export const useViaQr = (): boolean => useStore(session)?.scopeMeetingId != null;

export const isStaff = (role: Role | undefined): boolean => role === 'secretariat' || role === 'admin';

/** The page a role lands on after signing in. */
export function homeFor(me: Me): string {
  return me.user.role === 'secretariat' || me.user.role === 'admin' ? '/meetings' : '/my';
}
