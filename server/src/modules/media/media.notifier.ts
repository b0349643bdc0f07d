/** The media module's broadcasts, typed by the shared contract, and where they go. */
import type { Static } from 'typebox';
import type { mediaBroadcasts } from '@diemcau/shared';

/** Name of a media broadcast (shared/src/events/media.ts). */
export type MediaBroadcast = keyof typeof mediaBroadcasts;
/** Payload of a media broadcast. */
export type MediaPayload<E extends MediaBroadcast> = Static<(typeof mediaBroadcasts)[E]>;

/** Where the service's broadcasts go (Socket.IO in the app, a recorder in tests). */
export interface MediaNotifier {
  toMeeting<E extends MediaBroadcast>(meetingId: number, event: E, payload: MediaPayload<E>): void;
  /**
   * The meeting's sockets on this node only, for news about this node's room (its producers, its
   * active speaker, its reset): on several nodes each room differs, and a bridge can consume only
   * what its own node's room holds. Absent: same as toMeeting (one node).
   */
  toMeetingHere?<E extends MediaBroadcast>(meetingId: number, event: E, payload: MediaPayload<E>): void;
  toPeer<E extends MediaBroadcast>(peerId: string, event: E, payload: MediaPayload<E>): void;
}
