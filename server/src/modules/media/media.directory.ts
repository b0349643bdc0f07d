/**
 * Which nodes hold a media room for which meeting (issue 12), kept in the
 * Redis the nodes already share (REDIS_URL), so nodes find each other without
 * a static list:
 *
 * - `diemcau:media:node:<nodeId>` → `{url, bootId}`, refreshed every heartbeat
 *   with a TTL of a few heartbeats: a node that dies drops out by itself;
 * - `diemcau:media:meeting:<id>` hash nodeId → bootId: the nodes with bridges
 *   in that meeting's room (a restarted node's stale entry has another bootId).
 *
 * Word that something changed (a node opened a room, the stage moved) travels
 * as a server-side emit through the Socket.IO Redis adapter, so no second
 * subscriber connection is needed. Messages are hints: every node also
 * re-reads the directory periodically, so a lost message delays, not loses.
 */
import { SourceRef } from '@diemcau/shared';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { RedisClient } from '../../plugins/redis.ts';
import type { MediaLogger } from './logger.ts';

const NodeId = Type.String({ minLength: 1, maxLength: 64 });
const MeetingId = Type.Integer({ minimum: 1 });
const MaybeSource = Type.Union([SourceRef, Type.Null()]);
const DirectoryMessage = Type.Union([
  Type.Object({ type: Type.Literal('room-open'), from: NodeId, meetingId: MeetingId }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('stage'), from: NodeId, meetingId: MeetingId, stage: MaybeSource, pinned: Type.Boolean(), floorHolder: MaybeSource },
    { additionalProperties: false },
  ),
]);
/** A cross-node hint; `from` is the sending node's id. */
export type DirectoryMessage = Static<typeof DirectoryMessage>;
const checkMessage = Compile(DirectoryMessage);
/** Another node's hint, checked: a node of another version (or anything else on the channel) must not break this one. */
export const isDirectoryMessage = (v: unknown): v is DirectoryMessage => checkMessage.Check(v);

export interface DirectoryOptions {
  redis: RedisClient;
  nodeId: string;
  bootId: string;
  selfUrl: () => string;
  heartbeatMs: number;
  /** Sends a hint to every other node. */
  emit: (msg: DirectoryMessage) => void;
  log: MediaLogger;
}

const nodeKey = (nodeId: string) => `diemcau:media:node:${nodeId}`;
const meetingKey = (meetingId: number) => `diemcau:media:meeting:${meetingId}`;

export class MediaDirectory {
  readonly #o: DirectoryOptions;
  readonly #timer: NodeJS.Timeout;
  /** Meetings this node announced, re-announced on every beat (a Redis restart loses them). */
  readonly #mine = new Set<number>();
  #closed = false;

  private constructor(opts: DirectoryOptions) {
    this.#o = opts;
    this.#timer = setInterval(() => void this.#beat(), opts.heartbeatMs);
    this.#timer.unref();
    void this.#beat();
  }

  static create(opts: DirectoryOptions): MediaDirectory {
    return new MediaDirectory(opts);
  }

  get nodeId(): string {
    return this.#o.nodeId;
  }

  /** This node has bridges in the meeting: other nodes should pipe its stage and speakers here. */
  async announce(meetingId: number): Promise<void> {
    if (this.#closed) return;
    const first = !this.#mine.has(meetingId);
    this.#mine.add(meetingId);
    await this.#guard('announcing a media room', async () => {
      await this.#beat();
      await this.#o.redis.hSet(meetingKey(meetingId), this.#o.nodeId, this.#o.bootId);
    });
    if (first) this.#o.emit({ type: 'room-open', from: this.#o.nodeId, meetingId });
  }

  /** This node's room for the meeting closed. */
  async withdraw(meetingId: number): Promise<void> {
    if (!this.#mine.delete(meetingId) || this.#closed) return;
    await this.#guard('withdrawing a media room', () => this.#o.redis.hDel(meetingKey(meetingId), this.#o.nodeId));
  }

  /** Tells the other nodes where the meeting's stage and floor now are. */
  shareStage(meetingId: number, stage: SourceRef | null, pinned: boolean, floorHolder: SourceRef | null): void {
    if (!this.#closed) this.#o.emit({ type: 'stage', from: this.#o.nodeId, meetingId, stage, pinned, floorHolder });
  }

  /** Base URLs of the other live nodes holding a room for the meeting; dead or restarted nodes' entries are dropped. */
  async viewers(meetingId: number): Promise<string[]> {
    if (this.#closed) return [];
    return (
      (await this.#guard('reading the media directory', async () => {
        const entries = Object.entries(await this.#o.redis.hGetAll(meetingKey(meetingId))).filter(([id]) => id !== this.#o.nodeId);
        if (entries.length === 0) return [];
        const nodes = await this.#o.redis.mGet(entries.map(([id]) => nodeKey(id)));
        const urls: string[] = [];
        const stale: string[] = [];
        entries.forEach(([id, bootId], i) => {
          const n = parseNode(nodes[i] ?? null);
          if (n && n.bootId === bootId) urls.push(n.url);
          // A node whose key expired is dead; one with another bootId restarted and lost that room.
          else stale.push(id);
        });
        if (stale.length > 0) await this.#o.redis.hDel(meetingKey(meetingId), stale);
        return urls;
      })) ?? []
    );
  }

  /** Stops beating and forgets this node's entries (a clean stop; a crash is found by the TTL). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const mine = [...this.#mine];
    this.#mine.clear();
    if (!this.#o.redis.isReady) return;
    const leave = (async () => {
      await Promise.all(mine.map((m) => this.#o.redis.hDel(meetingKey(m), this.#o.nodeId)));
      await this.#o.redis.del(nodeKey(this.#o.nodeId));
    })();
    leave.catch(() => {});
    // A Redis that stops answering must not hold the node's shutdown: the entries expire or are found stale anyway.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
    try {
      await Promise.race([leave, deadline]);
    } catch (err) {
      this.#o.log.warn({ err }, 'leaving the media directory failed');
    } finally {
      clearTimeout(timer);
    }
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const ttl = Math.max(3 * this.#o.heartbeatMs, 2000);
    await this.#guard('refreshing this node in the media directory', async () => {
      await this.#o.redis.set(nodeKey(this.#o.nodeId), JSON.stringify({ url: this.#o.selfUrl(), bootId: this.#o.bootId }), { PX: ttl });
      for (const m of this.#mine) await this.#o.redis.hSet(meetingKey(m), this.#o.nodeId, this.#o.bootId);
    });
  }

  /** Redis trouble costs cross-node media for that while, never the node: logged, and the next beat retries. */
  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      if (!this.#closed) this.#o.log.warn({ err }, `${what} failed`);
      return null;
    }
  }
}

function parseNode(raw: string | null): { url: string; bootId: string } | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { url?: unknown; bootId?: unknown };
    return typeof v.url === 'string' && typeof v.bootId === 'string' ? { url: v.url, bootId: v.bootId } : null;
  } catch {
    return null;
  }
}
