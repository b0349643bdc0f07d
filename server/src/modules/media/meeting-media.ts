/**
 * One meeting's media: its live Room and the policy state around it. The
 * stage and the mic gates belong to the meeting, not the room, so the chair's
 * decisions survive a worker dying and the room being rebuilt; the active
 * speaker and the link table describe one room and are dropped with it.
 */
import type { MediaSnapshot, SourceRef, SpeakerInfo } from '@diemcau/shared';
import type { LinkEntry } from './link-monitor.ts';
import type { MediaBroadcast, MediaNotifier, MediaPayload } from './media.notifier.ts';
import { noSpeaker, producerInfo, stageInfo } from './media.views.ts';
import { MicGates } from './mic-gates.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

/** A command's caller resolved: its meeting, the live room and its peer there. */
export interface PeerContext {
  mm: MeetingMedia;
  room: Room;
  peer: Peer;
}

/** The media state of one meeting; MediaService keeps one per meeting that has used media. */
export class MeetingMedia {
  readonly meetingId: number;
  room: Room | null = null;
  /** The Room.create in flight, so peers joining at once share one room. */
  creating: Promise<Room> | null = null;
  /** The source on the main stage: the chair's choice, or the floor's (media.stage.ts). */
  stage: SourceRef | null = null;
  /** The chair pinned the stage: the floor no longer moves it. */
  pinned = false;
  /** The chair's own hall: where the stage rests when nobody holds the floor. */
  readonly chairHall: SourceRef | null;
  /** The source holding the conference floor as the mics last heard it (null: nobody). */
  floorHolder: SourceRef | null = null;
  speaker: SpeakerInfo = noSpeaker();
  readonly mics = new MicGates();
  /** Link state by peer id, for the current room's peers. */
  readonly links = new Map<string, LinkEntry>();
  readonly #notifier: MediaNotifier;
  /** The stage moved by policy here: tell the other nodes (media.fanout.ts); absent on a single node. */
  readonly #onStage: ((mm: MeetingMedia) => void) | undefined;

  constructor(meetingId: number, notifier: MediaNotifier, chairHall: SourceRef | null = null, onStage?: (mm: MeetingMedia) => void) {
    this.meetingId = meetingId;
    this.#notifier = notifier;
    this.chairHall = chairHall;
    this.#onStage = onStage;
    if (chairHall) {
      // The chair's hall is where the meeting is run from: on stage and heard from the start, as in a real hall.
      this.stage = chairHall;
      this.mics.apply(chairHall, { type: 'chair', muted: false }, 'chair');
    }
  }

  /**
   * Broadcasts a policy decision (stage, mics) to everyone in the meeting. On several nodes a
   * stage move is shared with the other nodes instead, and each tells its own sockets, naming
   * the streams its own room holds (a stream from elsewhere arrives there piped, under the same id).
   */
  notify<E extends MediaBroadcast>(event: E, payload: MediaPayload<E>): void {
    if (event === 'stage:changed' && this.#onStage) {
      this.notifyHere(event, payload);
      this.#onStage(this);
      return;
    }
    this.#notifier.toMeeting(this.meetingId, event, payload);
  }

  /** Broadcasts news about this node's room (its producers, speaker, reset) to the meeting's sockets on this node. */
  notifyHere<E extends MediaBroadcast>(event: E, payload: MediaPayload<E>): void {
    (this.#notifier.toMeetingHere ?? this.#notifier.toMeeting).call(this.#notifier, this.meetingId, event, payload);
  }

  /**
   * Adopts a newly created room. When it closes its per-room state goes with
   * it, and after a worker death clients are told to rejoin unless the
   * service itself is stopping (`stopping`).
   */
  attach(room: Room, stopping: () => boolean): void {
    this.room = room;
    room.once('close', (reason) => {
      if (this.room === room) this.room = null;
      this.links.clear();
      this.speaker = noSpeaker();
      if (reason === 'worker-died' && !stopping()) {
        // Clients drop their transports and run the join flow again; policy state (stage, mics) survives.
        this.notifyHere('media:room-reset', { reason: 'worker-died' });
      }
    });
  }

  /** The `media` snapshot part; link states only for the chair. */
  snapshot(forChair: boolean): MediaSnapshot {
    return {
      stage: stageInfo(this.room, this.stage, this.pinned),
      activeSpeaker: this.speaker,
      producers: this.room ? this.room.producerEntries().map(({ producer, peer }) => producerInfo(producer, peer)) : [],
      mics: this.mics.entries().map((e) => this.mics.info(e.source)),
      links: forChair ? [...this.links.values()].map((l) => l.info) : [],
    };
  }
}
