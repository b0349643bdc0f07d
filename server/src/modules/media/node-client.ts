/**
 * The node-to-node side of the media cluster (issue 12): requests to another
 * node's internal media API (media.internal.ts) and the heartbeat that tells
 * when such a node has gone.
 *
 * Every request carries the shared CLUSTER_SECRET and a deadline: a node that
 * hangs must not hold a bridge's join or a stage change for ever, so a
 * timeout or a refused connection becomes a typed NODE_UNREACHABLE, and a
 * typed error the other node answered keeps its code and status.
 */
import { isErrorCode } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';
import type { MediaLogger } from './logger.ts';

/** Header carrying the shared secret (not Authorization: the auth plugin reads that as a session token). */
export const CLUSTER_SECRET_HEADER = 'x-diemcau-cluster-secret';
/** Path prefix of the internal media API. */
export const INTERNAL_PREFIX = '/internal/media';

/** A node as other nodes know it. */
export interface NodeRef {
  nodeId: string;
  url: string;
}

export interface PingReply {
  nodeId: string;
  /** Random per process start: a node that restarted lost its pipes, whatever its URL. */
  bootId: string;
}

export class NodeClient {
  readonly #secret: string;
  readonly #timeoutMs: number;

  constructor(opts: { secret: string; timeoutMs: number }) {
    this.#secret = opts.secret;
    this.#timeoutMs = opts.timeoutMs;
  }

  /** Calls `method path` (below INTERNAL_PREFIX) on the node at `baseUrl`; rejects with an AppError. */
  async call<T>(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${baseUrl}${INTERNAL_PREFIX}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { [CLUSTER_SECRET_HEADER]: this.#secret, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new AppError('NODE_UNREACHABLE', timedOut ? 504 : 502, `Node ${baseUrl} ${timedOut ? `did not answer within ${this.#timeoutMs} ms` : 'is unreachable'} (${method} ${path})`);
    }
    let json: unknown = null;
    try {
      json = res.status === 204 ? null : await res.json();
    } catch {
      // A body that is not JSON (a proxy's error page) is judged by its status alone.
      if (res.ok) throw new AppError('NODE_UNREACHABLE', 502, `Node ${baseUrl} answered ${method} ${path} with a body that is not JSON`);
    }
    if (res.ok) return json as T;
    const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = isErrorCode(e?.code) ? e.code : 'NODE_UNREACHABLE';
    throw new AppError(code, res.status, `Node ${baseUrl}: ${typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`}`);
  }
}

export interface NodeWatchOptions {
  url: string;
  client: NodeClient;
  intervalMs: number;
  log: MediaLogger;
  /** The node missed `misses` probes in a row, or restarted: its pipes are gone. Called once. */
  onDown: (why: string) => void;
  misses?: number;
}

/**
 * Probes a node we exchange media with. A pipe transport carries bare RTP and
 * never learns that its far end died, so without this the pipes to a dead node
 * (and the producers piped in from it) would live on silently.
 */
export class NodeWatch {
  readonly #o: NodeWatchOptions;
  readonly #timer: NodeJS.Timeout;
  #bootId: string | null = null;
  #missed = 0;
  #busy = false;
  #closed = false;

  private constructor(opts: NodeWatchOptions) {
    this.#o = opts;
    this.#timer = setInterval(() => void this.#probe(), opts.intervalMs);
    // A watch must not keep a stopping process alive.
    this.#timer.unref();
  }

  static create(opts: NodeWatchOptions): NodeWatch {
    return new NodeWatch(opts);
  }

  async #probe(): Promise<void> {
    // One probe at a time: with a slow node, probes would pile up behind the timeout.
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      const reply = await this.#o.client.call<PingReply>(this.#o.url, 'GET', '/ping');
      this.#missed = 0;
      if (this.#bootId !== null && reply.bootId !== this.#bootId) return this.#down('restarted');
      this.#bootId = reply.bootId;
    } catch (err) {
      this.#o.log.warn({ err, node: this.#o.url, missed: this.#missed + 1 }, 'media node did not answer its heartbeat');
      if (++this.#missed >= (this.#o.misses ?? 3)) this.#down('unreachable');
    } finally {
      this.#busy = false;
    }
  }

  #down(why: string): void {
    if (this.#closed) return;
    this.close();
    this.#o.log.warn({ node: this.#o.url, why }, 'media node gone; closing the pipes to it');
    this.#o.onDown(why);
  }

  /** Stops probing. Idempotent. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
