/**
 * What Socket.IO needs to run on several nodes sharing one Redis (REDIS_URL): the Redis Streams
 * adapter, which carries broadcasts to every node and keeps connection-state recovery working
 * (a dropped client may come back on any node: the session and the missed packets are in Redis);
 * a per-user connection count over every node; and word to the other nodes when sessions end here.
 * Without Redis each piece is the single-process behaviour.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server } from 'socket.io';
import type { BroadcastName } from '@diemcau/shared';
import type { RedisClient } from './redis.ts';
import type { AppServer, AppSocket } from './realtime.ts';
import type { Shape } from './realtime-audience.ts';

/** Sent to the other nodes when sessions end on this one (serverSideEmit travels through the adapter). */
const SESSIONS_ENDED = 'diemcau:sessions-ended';
/** An audience-shaped broadcast, for each other node to shape for its own sockets. */
const SHAPED = 'diemcau:shaped';

export interface ShapedMessage {
  meetingId: number;
  inOrder: boolean;
  event: BroadcastName;
  full: unknown;
  shape: Shape;
}

export interface RealtimeCluster {
  /** The `adapter` option for `new Server`: undefined keeps socket.io's in-memory one. */
  adapter: ReturnType<typeof createAdapter> | undefined;
  /**
   * The user's live connections other than `socket`. On a cluster, the room is asked of every node
   * (fetchSockets): a killed node drops out of Redis's subscriber count at once, so its sockets stop
   * counting with it, rather than leaking in a counter nobody decrements.
   */
  countOthers(io: AppServer, socket: AppSocket, userRoom: string): number | Promise<number>;
  /** Tells the other nodes that sessions ended here; each re-checks its own sockets' sessions at once. */
  sessionsEnded(io: AppServer): void;
  /** Runs `sweep` when another node says sessions ended. */
  onSessionsEndedElsewhere(io: AppServer, sweep: () => void): void;
  /** Sends an audience-shaped broadcast to the other nodes (this node addresses its own sockets itself). */
  shaped(io: AppServer, msg: ShapedMessage): void;
  onShaped(io: AppServer, fn: (msg: ShapedMessage) => void): void;
  /** `fn` for this node and, through the adapter, every other one: each does its own sockets' part. */
  everyNode<T>(io: AppServer, name: string, fn: (msg: T) => void): (msg: T) => void;
}

const localCount = (socket: AppSocket, userRoom: string) =>
  // A recovered socket is already back in its rooms (socket.io restores them first): don't count it.
  (socket.nsp.adapter.rooms.get(userRoom)?.size ?? 0) - (socket.rooms.has(userRoom) ? 1 : 0);

export function realtimeCluster(redis: RedisClient | null, onError: (err: unknown, what: string) => void): RealtimeCluster {
  if (!redis) {
    return { adapter: undefined, countOthers: (_io, socket, room) => localCount(socket, room), sessionsEnded: () => {}, onSessionsEndedElsewhere: () => {}, shaped: () => {}, onShaped: () => {}, everyNode: (_io, _name, fn) => fn };
  }
  // The generic-free view: serverSideEmit's event map is not part of the app's typed contract.
  const plain = (io: AppServer) => io as unknown as Server;
  return {
    adapter: createAdapter(redis),
    async countOthers(io, socket, room) {
      try {
        const all = await io.in(room).fetchSockets();
        return all.filter((s) => s.id !== socket.id).length;
      } catch (err) {
        // A node that does not answer within the adapter's request timeout: this node's own count
        // still holds the cap per node rather than refusing every connection while Redis is unwell.
        onError(err, 'counting a user’s sockets across nodes failed');
        return localCount(socket, room);
      }
    },
    sessionsEnded: (io) => void plain(io).serverSideEmit(SESSIONS_ENDED),
    onSessionsEndedElsewhere: (io, sweep) => void plain(io).on(SESSIONS_ENDED, sweep),
    shaped: (io, msg) => void plain(io).serverSideEmit(SHAPED, msg),
    onShaped: (io, fn) => void plain(io).on(SHAPED, fn),
    everyNode(io, name, fn) {
      const event = `diemcau:every-node:${name}`;
      plain(io).on(event, fn);
      return (msg) => {
        fn(msg);
        plain(io).serverSideEmit(event, msg);
      };
    },
  };
}
