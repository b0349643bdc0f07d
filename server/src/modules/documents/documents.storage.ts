/**
 * Content-addressed file store under `<dataDir>/files/<sha256>`.
 *
 * An upload streams into `files/.tmp/<random>` while its SHA-256 and size are
 * computed; only a complete, accepted file is renamed into place (rename is
 * atomic on one filesystem, and .tmp lives inside files/ for that reason). A
 * partly written or aborted upload is deleted and never becomes a blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../lib/app-error.ts';

const SHA256_RE = /^[0-9a-f]{64}$/;

/** A file fully written to the temp area, not yet a blob. */
export interface StagedFile {
  tmpPath: string;
  sha256: string;
  size: number;
}

/** The error thrown when a stream exceeds the limit (maps to HTTP 413). */
export const tooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', 413, `Tệp vượt quá giới hạn ${maxBytes} byte. / File exceeds the ${maxBytes}-byte limit.`, { maxBytes });

/** Passes bytes through while hashing and counting them; errors past `maxBytes`. */
class Meter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return cb(tooLarge(this.maxBytes));
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

export class BlobStore {
  readonly #root: string;
  readonly #tmp: string;

  private constructor(root: string) {
    this.#root = root;
    this.#tmp = join(root, '.tmp');
  }

  /** Opens (creating) the store and removes temp files left by a crash. */
  static async create(root: string): Promise<BlobStore> {
    const store = new BlobStore(root);
    await mkdir(store.#tmp, { recursive: true });
    for (const name of await readdir(store.#tmp)) await rm(join(store.#tmp, name), { force: true });
    return store;
  }

  get root(): string {
    return this.#root;
  }

  /** Absolute path of a blob. Throws 404 for anything that is not a SHA-256, so no id can escape the store. */
  pathFor(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new AppError('NOT_FOUND', 404, 'File not found');
    return join(this.#root, sha256);
  }

  /**
   * Streams `source` into the temp area, hashing as it goes. On any failure
   * (limit, client abort, disk error) the temp file is removed and the error
   * rethrown; `truncated()` lets the caller report a limit the producer
   * enforced itself (e.g. multipart's fileSize).
   */
  async stage(source: Readable, opts: { maxBytes: number; truncated?: () => boolean }): Promise<StagedFile> {
    const tmpPath = join(this.#tmp, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const meter = new Meter(opts.maxBytes);
    try {
      await pipeline(source, meter, createWriteStream(tmpPath, { flags: 'wx' }));
      if (opts.truncated?.()) throw tooLarge(opts.maxBytes);
    } catch (err) {
      await rm(tmpPath, { force: true });
      throw err;
    }
    return { tmpPath, sha256: meter.hash.digest('hex'), size: meter.size };
  }

  /** Moves a staged file into place; identical content already stored is kept. Returns the blob path. */
  async commit(staged: StagedFile): Promise<string> {
    const dest = this.pathFor(staged.sha256);
    const existing = await stat(dest).catch(() => null);
    if (existing && existing.size === staged.size) {
      await unlink(staged.tmpPath);
      return dest;
    }
    await rename(staged.tmpPath, dest);
    return dest;
  }

  /** Drops a staged file that was rejected. Never throws. */
  async discard(staged: StagedFile): Promise<void> {
    await rm(staged.tmpPath, { force: true });
  }

  /** Number of files in the temp area (tests assert aborted uploads leave none). */
  async pendingCount(): Promise<number> {
    return (await readdir(this.#tmp)).length;
  }
}
