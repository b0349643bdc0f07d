/**
 * The one Socket.IO connection of the page, typed from the shared contract.
 * - commands become Promises (ack → resolve / typed ApiError),
 * - broadcasts are subscribed with `onBroadcast`,
 * - `joinMeeting` re-joins on every (re)connect, so after a network drop or a
 *   server restart the view receives a fresh snapshot without a reload,
 * - `connection` is the state the badge shows.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  BroadcastName,
  Broadcasts,
  ClientToServerEvents,
  CommandName,
  CommandRequest,
  CommandResult,
  Commands,
  ErrorCode,
  HandshakeAuth,
  ServerToClientEvents,
} from '@diemcau/shared';
import { PROTOCOL_VERSION } from '@diemcau/shared';
import type { Static } from 'typebox';
import { ApiError } from './api.ts';
import { createStore } from './store.ts';

export type ConnState = 'connecting' | 'online' | 'offline' | 'denied';
export interface Connection {
  state: ConnState;
  /** Why the server refused us, when state is 'denied'. */
  code?: string;
  /** Increments on every successful (re)connect; views use it to refresh REST data. */
  epoch: number;
}
export const connection = createStore<Connection>({ state: 'connecting', epoch: 0 });

type RtSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
// Generic over the event name, which Socket.IO's overloads cannot express.
type LooseEmitter = { emit(ev: string, ...args: unknown[]): unknown };
type LooseSocket = { timeout(ms: number): LooseEmitter; on(ev: string, fn: (...a: unknown[]) => void): unknown; off(ev: string, fn: (...a: unknown[]) => void): unknown };

let socket: RtSocket | null = null;
let onDenied: (code: string) => void = () => {};

/** Called when the server rejects the handshake (expired session → login page). */
export function setDeniedHandler(fn: (code: string) => void): void {
  onDenied = fn;
}

function ensure(): RtSocket {
  if (socket) return socket;
  const auth: HandshakeAuth = { protocol: PROTOCOL_VERSION };
  const s: RtSocket = io({
    auth,
    withCredentials: true,
    // A restarted server should find its rooms again within a few seconds.
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    // After a restart every client of a 2,000-delegate meeting retries at once; spread them out.
    randomizationFactor: 0.5,
  });
  s.on('connect', () => connection.set((c) => ({ state: 'online', epoch: c.epoch + 1 })));
  s.on('disconnect', () => connection.set((c) => ({ ...c, state: 'offline' })));
  s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (s.active) {
      // Transport problem: Socket.IO keeps retrying by itself.
      connection.set((c) => ({ ...c, state: 'offline' }));
      return;
    }
    // The server's middleware refused us; retrying the same way will not help.
    const code = err.data?.code ?? err.message;
    connection.set((c) => ({ ...c, state: 'denied', code }));
    onDenied(code);
  });
  socket = s;
  return s;
}

/** Opens the connection (idempotent). */
export function connect(): void {
  const s = ensure();
  if (!s.connected && !s.active) {
    connection.set((c) => ({ ...c, state: 'connecting' }));
    s.connect();
  }
}

/** Closes the connection (on logout); a later connect() opens a new one with the new cookie. */
export function disconnect(): void {
  socket?.disconnect();
  socket = null;
  connection.set((c) => ({ ...c, state: 'connecting' }));
}

/** Sends a command and resolves with its ack data; rejects with ApiError. */
export function send<K extends CommandName>(
  name: K,
  payload: CommandRequest<Commands, K>,
  timeoutMs = 10_000,
): Promise<CommandResult<Commands, K>> {
  const s = ensure();
  // Socket.IO would buffer the command and deliver it after a reconnect, long after
  // the user gave up; a vote or a floor request must not arrive that late.
  if (!s.connected) return Promise.reject(new ApiError('NETWORK', 'not connected'));
  const emit = () =>
    new Promise<CommandResult<Commands, K>>((resolve, reject) => {
      if (!s.connected) return reject(new ApiError('NETWORK', 'not connected'));
      (s as unknown as LooseSocket).timeout(timeoutMs).emit(name, payload, (err: Error | null, res?: Ack<unknown>) => {
        if (err || !res) return reject(new ApiError('TIMEOUT', 'no ack'));
        if (res.ok) resolve(res.data as CommandResult<Commands, K>);
        else reject(new ApiError(res.error.code as ErrorCode, res.error.message));
      });
    });
  // Back online but not yet in the meeting again (the re-join waits a random delay): the server
  // would answer NOT_MEMBER to a click made meanwhile, so the command waits for the join (bounded).
  const gate = name === 'meeting:join' ? null : rejoined;
  if (!gate) return emit();
  // The wait's timer goes with the join, rather than ticking out its whole timeout per command.
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void gate.then(() => {
      clearTimeout(timer);
      resolve();
    });
  }).then(emit);
}

/** From a reconnect (or resync) until the meeting page has joined again; null otherwise. */
let rejoined: Promise<void> | null = null;

/** Subscribes to a broadcast; returns the unsubscribe function. */
export function onBroadcast<K extends BroadcastName>(name: K, fn: (payload: Static<Broadcasts[K]>) => void): () => void {
  const s = ensure() as unknown as LooseSocket;
  const h = fn as (...a: unknown[]) => void;
  s.on(name, h);
  return () => void s.off(name, h);
}

/** Upper bound of the random delay before re-joining after a reconnect or resync. */
const RESYNC_JITTER_MS = 1500;

export interface JoinHandlers<Snap> {
  onSnapshot(snapshot: Snap): void;
  onError(e: ApiError): void;
}

/**
 * Joins a meeting room now and after every reconnect or resync. The snapshot is
 * whatever the conference feature acks; views narrow it.
 */
export function joinMeeting<Snap = unknown>(meetingId: number, h: JoinHandlers<Snap>): () => void {
  const s = ensure();
  let closed = false;
  let asked = false;
  let release: (() => void) | null = null;
  const opened = () => release?.();
  const join = () => {
    if (!s.connected || closed) return opened();
    asked = true;
    send('meeting:join', { meetingId })
      .then(
        (snap) => !closed && h.onSnapshot(snap as Snap),
        (e: unknown) => !closed && h.onError(e instanceof ApiError ? e : new ApiError('INTERNAL', String(e))),
      )
      .finally(opened);
  };
  // A reconnect or a server-asked resync reaches the whole meeting at once; a random delay spreads
  // the snapshot requests so the server builds them a few at a time, not 2,000 in one tick.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const rejoin = () => {
    clearTimeout(pending);
    // The first join of the page goes at once; only a re-join waits.
    if (!asked) return join();
    // Commands sent meanwhile wait for the join (send), answered or refused.
    if (!release) {
      rejoined = new Promise<void>((resolve) => {
        release = () => {
          release = null;
          rejoined = null;
          resolve();
        };
      });
    }
    pending = setTimeout(join, Math.random() * RESYNC_JITTER_MS);
  };
  s.on('connect', rejoin);
  const offResync = onBroadcast('session:resync', rejoin);
  join();
  return () => {
    closed = true;
    clearTimeout(pending);
    opened();
    s.off('connect', rejoin);
    offResync();
    if (s.connected) send('meeting:leave', {}).catch(() => {});
  };
}
