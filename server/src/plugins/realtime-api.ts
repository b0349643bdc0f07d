/**
 * What feature modules see of the realtime plugin (realtime.ts): the socket types, the context and
 * signature of a command handler, the room names, and the `app.realtime` surface they register on
 * and broadcast through. Kept apart from the plugin so its wiring reads on its own.
 */
import type { Server, Socket } from 'socket.io';
import type {
  BroadcastName, Broadcasts, ClientToServerEvents, CommandName, Commands, CommandRequest, CommandResult, ServerToClientEvents,
} from '@diemcau/shared';
import type { Static } from 'typebox';
import type { AudienceEmitter } from './realtime-audience.ts';
import type { AuthUser } from '../modules/auth/auth.service.ts';
import type { Membership } from '../modules/meetings/meetings.access.ts';

export interface SocketData {
  user: AuthUser;
  meetingId: number | null;
  membership: Membership | null;
}
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface CommandContext {
  socket: AppSocket;
  user: AuthUser;
  /** The meeting this socket has joined, or null. */
  meetingId: number | null;
  membership: Membership | null;
  /** The joined meeting id; throws NOT_MEMBER when the socket has not joined one. */
  requireMeeting(): { meetingId: number; membership: Membership };
}
export type CommandHandler<K extends CommandName> = (ctx: CommandContext, payload: CommandRequest<Commands, K>) => CommandResult<Commands, K> | Promise<CommandResult<Commands, K>>;
export type JoinHook = (meetingId: number, user: AuthUser, socket: AppSocket, membership: Membership) => void;
/** A feature's share of the `meeting:join` snapshot (a promise of it when it reads the database). */
export type SnapshotPart = (meetingId: number, user: AuthUser, membership: Membership) => unknown;

/** Room names. Managers (secretariat/admin) get their own room for secretariat-only broadcasts. */
export const rooms = {
  meeting: (id: number) => `meeting:${id}`,
  managers: (id: number) => `meeting:${id}:managers`,
  bridge: (id: number, bp: number) => `meeting:${id}:bridge:${bp}`,
  user: (uid: number) => `user:${uid}`,
  /** A user's sockets of one scope: QR sessions confined to meeting `meetingId`, or (null) the unconfined ones. */
  userScope: (uid: number, meetingId: number | null) => (meetingId == null ? `user:${uid}:all` : `user:${uid}:qr:${meetingId}`),
};

export type Emitter = { emit<E extends BroadcastName>(event: E, payload: Static<Broadcasts[E]>): boolean };

export interface Realtime {
  io: AppServer;
  /**
   * `perMeeting`: the command acts on the joined meeting's live state, so on a cluster it runs on the
   * node that owns the meeting (lease.ts) and the answer is relayed (realtime-forward.ts).
   * `overtaking`: the command may run between the chunks of a broadcast queued before it, rather
   * than after all of it (realtime-queue.ts); for a command whose effect and answer do not depend on
   * that broadcast having reached its socket first (a ballot).
   */
  handle<K extends CommandName>(name: K, handler: CommandHandler<K>, opts?: { perMeeting?: boolean; overtaking?: boolean }): void;
  /**
   * An operation on a meeting's live state that is not a client command (a bridge's connection, a status
   * change made over HTTP): the returned function runs `fn` on the meeting's owner, here on a single node.
   */
  ownerOp<B, T>(op: string, fn: (meetingId: number, body: B) => T): (meetingId: number, body: B) => Promise<Awaited<T>>;
  /**
   * The returned function runs `fn` here and, on a cluster, on every other node (a JSON message through
   * the adapter): for work each node does for its own sockets, such as a coalesced presence push.
   */
  everyNode<T>(name: string, fn: (msg: T) => void): (msg: T) => void;
  /** Every socket that joined the meeting. */
  toMeeting(meetingId: number): Emitter;
  /** The meeting's sockets connected to this node only (with REDIS_URL the others are on other nodes). */
  toMeetingHere(meetingId: number): Emitter;
  /**
   * The same sockets, each sent the payload made for its audience (secretariat, its bridge point's
   * screen, or member: realtime-audience.ts), written a chunk of sockets per queued job (ahead of
   * waiting commands) so a frequent push to 2,000 sockets does not hold the loop for a quarter
   * second. For counters that the next push supersedes: it is not ordered against other traffic,
   * unless `inOrder` asks for one immediate write (an event that must precede what follows it).
   */
  toMeetingByAudience(meetingId: number, opts?: { inOrder?: boolean }): AudienceEmitter;
  /** Secretariat and admin sockets in the meeting only (tallies, receipts). */
  toManagers(meetingId: number): Emitter;
  /** Sockets of one bridge point's operator in the meeting. */
  toBridge(meetingId: number, bridgePointId: number): Emitter;
  /** Every socket of one user, whatever meeting they joined. */
  toUser(userId: number): Emitter;
  snapshotPart(name: string, part: SnapshotPart): void;
  /**
   * These sockets, written a chunk per job in the command queue's next slices, ahead of waiting
   * commands: for a broadcast too big for one turn of the event loop (realtime-queue.ts).
   */
  toSocketsInChunks(socketIds: string[]): Emitter;
  /** Commands waiting for their handler. */
  backlog(): number;
  onJoin(hook: JoinHook): void;
  onLeave(hook: JoinHook): void;
}
