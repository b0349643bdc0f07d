import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from '../../../server/src/modules/documents/documents.storage.ts';
import { AppError } from '../../../server/src/lib/app-error.ts';
import { patternBytes } from '../../helpers/document-fixtures.ts';

let root: string;
beforeEach(async () => {
  root = join(await mkdtemp(join(tmpdir(), 'dc-blob-')), 'files');
});
afterEach(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A stream of `bytes` in small chunks, so hashing really happens incrementally. */
const chunked = (bytes: Buffer, size = 1000) =>
  Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })());

describe('BlobStore', () => {
  it('stages with SHA-256 and size, then commits under the hash', async () => {
    const store = await BlobStore.create(root);
    const bytes = patternBytes(123_457);
    const staged = await store.stage(chunked(bytes), { maxBytes: 1_000_000 });
    expect(staged).toMatchObject({ sha256: sha(bytes), size: bytes.length });
    const path = await store.commit(staged);
    expect(path).toBe(join(root, sha(bytes)));
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await store.pendingCount()).toBe(0);
  });

  it('keeps one copy of identical content', async () => {
    const store = await BlobStore.create(root);
    const bytes = patternBytes(5000);
    const a = await store.commit(await store.stage(chunked(bytes), { maxBytes: 10_000 }));
    const b = await store.commit(await store.stage(chunked(bytes), { maxBytes: 10_000 }));
    expect(a).toBe(b);
    expect((await readdir(root)).filter((n) => n !== '.tmp')).toEqual([sha(bytes)]);
    expect(await store.pendingCount()).toBe(0);
  });

  it('fails with 413 past the limit and leaves nothing behind', async () => {
    const store = await BlobStore.create(root);
    const err = await store.stage(chunked(patternBytes(10_001)), { maxBytes: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await store.pendingCount()).toBe(0);
    expect(await readdir(root)).toEqual(['.tmp']);
    // Exactly at the limit is fine.
    await expect(store.stage(chunked(patternBytes(10_000)), { maxBytes: 10_000 })).resolves.toMatchObject({ size: 10_000 });
  });

  it('reports a limit enforced by the producer (truncated stream) as 413', async () => {
    const store = await BlobStore.create(root);
    await expect(store.stage(chunked(patternBytes(100)), { maxBytes: 10_000, truncated: () => true })).rejects.toMatchObject({ status: 413 });
    expect(await store.pendingCount()).toBe(0);
  });

  it('an interrupted upload leaves no file', async () => {
    const store = await BlobStore.create(root);
    const src = new Readable({ read() {} });
    const p = store.stage(src, { maxBytes: 1_000_000 });
    src.push(patternBytes(4096));
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.pendingCount()).toBe(1);
    src.destroy(new Error('client went away'));
    await expect(p).rejects.toThrow('client went away');
    expect(await store.pendingCount()).toBe(0);
    expect(await readdir(root)).toEqual(['.tmp']);
  });

  it('sweeps temp files left by a crash on open', async () => {
    await mkdir(join(root, '.tmp'), { recursive: true });
    await writeFile(join(root, '.tmp', 'leftover'), 'partial');
    const store = await BlobStore.create(root);
    expect(await store.pendingCount()).toBe(0);
  });

  it('only maps SHA-256 strings to paths (no traversal)', async () => {
    const store = await BlobStore.create(root);
    for (const bad of ['../etc/passwd', '..', '', 'A'.repeat(64), `${'a'.repeat(63)}/`, `${'a'.repeat(64)}/../x`]) {
      expect(() => store.pathFor(bad)).toThrowError(expect.objectContaining({ status: 404 }));
    }
    expect(store.pathFor('a'.repeat(64))).toBe(join(root, 'a'.repeat(64)));
  });
});
