/**
 * The realtime contract. Each feature declares its commands and broadcasts in
 * its own file; they are merged here. Commands are `noun:verb`; broadcasts are
 * past tense (`vote:closed`). Every command is acked with `Ack<T>`.
 */
import type { BroadcastMap, ClientEventsOf, CommandMap, ServerEventsOf } from './define.ts';
import { sessionBroadcasts, sessionCommands } from './session.ts';
import { mediaBroadcasts, mediaCommands } from './media.ts';
import { conferenceBroadcasts, conferenceCommands } from './conference.ts';
import { votingBroadcasts, votingCommands } from './voting.ts';
import { documentsBroadcasts, documentsCommands } from './documents.ts';
import { authCommands } from './auth.ts';
import { remindersBroadcasts } from './reminders.ts';
import { recordingBroadcasts } from './recording.ts';

export * from './define.ts';
export * from './session.ts';
export * from './media.ts';
export * from './conference.ts';
export * from './voting.ts';
export * from './documents.ts';
export * from './auth.ts';
export * from './reminders.ts';
export * from './docs.ts';
export * from './recording.ts';

// Feature files append themselves to these two objects (one line each).
export const Commands = {
  ...sessionCommands,
  ...mediaCommands,
  ...conferenceCommands,
  ...votingCommands,
  ...documentsCommands,
  ...authCommands,
} satisfies CommandMap;

export const Broadcasts = {
  ...sessionBroadcasts,
  ...mediaBroadcasts,
  ...conferenceBroadcasts,
  ...votingBroadcasts,
  ...documentsBroadcasts,
  ...remindersBroadcasts,
  ...recordingBroadcasts,
} satisfies BroadcastMap;

export type Commands = typeof Commands;
export type Broadcasts = typeof Broadcasts;
export type CommandName = keyof Commands;
export type BroadcastName = keyof Broadcasts;
export type ClientToServerEvents = ClientEventsOf<Commands>;
export type ServerToClientEvents = ServerEventsOf<Broadcasts>;

/** What the client sends in the Socket.IO handshake `auth` field. */
export interface HandshakeAuth {
  protocol: number;
  /** Session token; browsers may rely on the HttpOnly cookie instead. */
  token?: string;
}
