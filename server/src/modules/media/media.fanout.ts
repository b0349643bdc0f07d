/**
 * What triggers piping between nodes (issue 12). Each node sends, for every
 * meeting it holds a room for, its own main-stage producers, its open mics and
 * its active speaker to every other node that has bridges in that meeting (the
 * directory in Redis says which), and stops sending what left the stage or went
 * quiet. The origin decides, because only the origin knows its producers; the
 * stage and the floor are shared between nodes, so each origin judges against
 * the same stage.
 *
 * A meeting's sending is reconciled whenever something that decides it moves
 * (a producer comes, goes, pauses or resumes; the stage or the speaker moves;
 * another node opens a room for the meeting) and on a slow periodic beat that
 * repairs a lost hint or a restarted node. One reconcile per meeting runs at a
 * time; triggers during a run ask for one more.
 */
import type { SourceRef } from '@diemcau/shared';
import type { MediaLogger } from './logger.ts';
import type { MediaCluster } from './media.cluster.ts';
import { MediaDirectory, type DirectoryMessage } from './media.directory.ts';
import { sameSource } from './media.policy.ts';
import { stageInfo } from './media.views.ts';
import type { MeetingMedia } from './meeting-media.ts';
import type { Room } from './room.ts';

export interface FanoutOptions {
  cluster: MediaCluster;
  directory: MediaDirectory;
  /** The meeting's media state on this node, if any. */
  meeting: (meetingId: number) => MeetingMedia | undefined;
  /** Meetings with a live room here. */
  meetings: () => number[];
  /** How often every live meeting is reconciled even without a hint. */
  resyncMs: number;
  log: MediaLogger;
}

/** The directory and fanout of a node in a cluster with the shared Redis; null without it (one node costs nothing). */
export function clusterFanout(
  cluster: MediaCluster,
  meetings: ReadonlyMap<number, MeetingMedia>,
  log: MediaLogger,
): { directory: MediaDirectory; fanout: MediaFanout } | null {
  const o = cluster.options;
  if (!o.shared) return null;
  const directory = MediaDirectory.create({ ...o.shared, nodeId: o.nodeId, bootId: cluster.bootId, selfUrl: o.selfUrl, heartbeatMs: o.heartbeatMs, log });
  const fanout = MediaFanout.create({
    cluster,
    directory,
    meeting: (id) => meetings.get(id),
    meetings: () => [...meetings].flatMap(([id, mm]) => (mm.room && !mm.room.closed ? [id] : [])),
    // The directory beats every heartbeat; a full re-read of every live meeting is rarer.
    resyncMs: Math.max(1000, 5 * o.heartbeatMs),
    log,
  });
  return { directory, fanout };
}

/** The producers of `room` this node should send to other nodes: its own stage streams, open mics and speaker. */
export function producersToSend(mm: MeetingMedia, room: Room): string[] {
  return room
    .producerEntries()
    .filter(({ peer }) => !peer.remote)
    .filter(
      ({ producer, peer }) =>
        (mm.stage !== null && sameSource(mm.stage, peer.source)) || (producer.kind === 'audio' && !producer.paused) || producer.id === mm.speaker.producerId,
    )
    .map(({ producer }) => producer.id);
}

export class MediaFanout {
  readonly #o: FanoutOptions;
  readonly #timer: NodeJS.Timeout;
  /** Per meeting: the reconcile running, and whether another was asked for meanwhile. */
  readonly #runs = new Map<number, { again: boolean }>();
  #closed = false;

  private constructor(opts: FanoutOptions) {
    this.#o = opts;
    this.#timer = setInterval(() => {
      for (const id of opts.meetings()) this.schedule(id);
    }, opts.resyncMs);
    this.#timer.unref();
  }

  static create(opts: FanoutOptions): MediaFanout {
    return new MediaFanout(opts);
  }

  /** A room opened here: reconcile as its producers and speaker come and go. */
  watch(mm: MeetingMedia, room: Room): void {
    const again = () => this.schedule(room.meetingId);
    room.on('newproducer', ({ producer }) => {
      producer.observer.on('pause', again);
      producer.observer.on('resume', again);
      again();
    });
    room.on('producerclosed', again);
    let speaker: string | null = null;
    room.on('activespeaker', ({ producerId }) => {
      if (producerId === speaker) return;
      speaker = producerId;
      again();
    });
    room.once('close', () => void this.#o.directory.withdraw(mm.meetingId));
  }

  /** A peer of this node joined the meeting's room: have the other nodes send here. */
  joined(meetingId: number): void {
    void this.#o.directory.announce(meetingId).then(() => this.schedule(meetingId));
  }

  /** The stage moved by policy here: the other nodes judge against the same stage. */
  stageMoved(mm: MeetingMedia): void {
    this.#o.directory.shareStage(mm.meetingId, mm.stage, mm.pinned, mm.floorHolder);
    this.schedule(mm.meetingId);
  }

  /** A hint from another node. */
  onMessage(msg: DirectoryMessage): void {
    if (this.#closed || msg.from === this.#o.directory.nodeId) return;
    const mm = this.#o.meeting(msg.meetingId);
    if (!mm) return;
    if (msg.type === 'stage') {
      if (!sameOrNull(mm.stage, msg.stage) || mm.pinned !== msg.pinned) {
        mm.stage = msg.stage;
        mm.pinned = msg.pinned;
        mm.floorHolder = msg.floorHolder;
        // This node's sockets hear the move from here, naming the streams this node's room holds.
        mm.notifyHere('stage:changed', stageInfo(mm.room, mm.stage, mm.pinned));
      } else mm.floorHolder = msg.floorHolder;
    } else if (mm.room && !mm.room.closed) {
      // A node just opened a room for the meeting: it starts from the default stage, so tell it where the stage is.
      this.#o.directory.shareStage(mm.meetingId, mm.stage, mm.pinned, mm.floorHolder);
    }
    this.schedule(msg.meetingId);
  }

  /** Reconciles the meeting soon; coalesces with a run in progress. */
  schedule(meetingId: number): void {
    if (this.#closed) return;
    const run = this.#runs.get(meetingId);
    if (run) {
      run.again = true;
      return;
    }
    const state = { again: false };
    this.#runs.set(meetingId, state);
    void (async () => {
      try {
        do {
          state.again = false;
          await this.#reconcile(meetingId);
        } while (state.again && !this.#closed);
      } catch (err) {
        this.#o.log.warn({ err, meetingId }, 'could not pipe media to the other nodes');
      } finally {
        this.#runs.delete(meetingId);
      }
    })();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  async #reconcile(meetingId: number): Promise<void> {
    const mm = this.#o.meeting(meetingId);
    const room = mm?.room;
    if (!mm || !room || room.closed) return;
    const urls = await this.#o.directory.viewers(meetingId);
    if (urls.length === 0 || room.closed) return;
    const send = new Set(producersToSend(mm, room));
    const inRoom = new Set(room.producerEntries().map(({ producer }) => producer.id));
    await Promise.all(
      urls.map(async (url) => {
        const pipe = this.#o.cluster.pipeTo(url);
        for (const id of pipe.pipedProducerIds()) if (inRoom.has(id) && !send.has(id)) pipe.unpipeProducer(id);
        const results = await Promise.allSettled([...send].map((id) => this.#o.cluster.pipeProducer(url, room, id)));
        for (const r of results) if (r.status === 'rejected') this.#o.log.warn({ err: r.reason, node: url, meetingId }, 'could not pipe a producer to another node');
      }),
    );
  }
}

const sameOrNull = (a: SourceRef | null, b: SourceRef | null) => (a === null || b === null ? a === b : sameSource(a, b));
