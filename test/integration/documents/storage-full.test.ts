// A full disk during an upload: the file write fails with ENOSPC (injected into the blob store's
// write stream), the client gets 507 STORAGE_FULL, no temp file or document row is left behind,
// and the next upload, with room again, succeeds.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makePdf } from '../../helpers/document-fixtures.ts';
import { setup, upload, uploadOk, type Env } from './helpers.ts';

const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const createWriteStream = ((path: string, opts?: unknown) => {
    // Only the upload staging area (files/.tmp) runs out of space; everything else writes normally.
    if (!disk.full || !String(path).includes(`${join('files', '.tmp')}`)) return fs.createWriteStream(path, opts as never);
    return new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
      },
    });
  }) as typeof fs.createWriteStream;
  return { ...fs, default: { ...fs, createWriteStream }, createWriteStream };
});

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => env.close());

describe('upload onto a full disk', () => {
  it('answers 507 STORAGE_FULL and loses nothing', async () => {
    const sqlite = env.t.app.db.$client;
    const docs = () => (sqlite.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;
    const first = await uploadOk(env, await makePdf(1, 'first'), { title: 'Trước khi đầy' });
    const before = docs();
    disk.full = true;
    try {
      const res = await upload(env, await makePdf(2, 'full'), { title: 'Khi đầy' });
      expect(res.status).toBe(507);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STORAGE_FULL');
    } finally {
      disk.full = false;
    }
    expect(docs()).toBe(before);
    expect(readdirSync(join(env.t.dataDir, 'files', '.tmp'))).toEqual([]);
    const again = await uploadOk(env, await makePdf(3, 'again'), { title: 'Sau khi giải phóng' });
    expect(again.id).not.toBe(first.id);
    expect(docs()).toBe(before + 1);
  });
});
