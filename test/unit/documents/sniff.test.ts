import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimedExtension, sniffFile, sniffMessage } from '../../../server/src/modules/documents/documents.sniff.ts';
import { makeExe, makeOoxml, makePdf, makePng, makeZip } from '../../helpers/document-fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dc-sniff-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sniff(bytes: Buffer, name: string) {
  const p = join(dir, `f-${Math.random().toString(36).slice(2)}`);
  await writeFile(p, bytes);
  return sniffFile(p, name);
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, ...Array(100).fill(0)]);

describe('content sniffing', () => {
  it('recognises every accepted format from its bytes', async () => {
    expect(await sniff(await makePdf(1), 'Báo cáo.pdf')).toEqual({ ok: true, ext: 'pdf', mime: 'application/pdf' });
    expect(await sniff(makeOoxml('docx'), 'Nghị quyết.DOCX')).toMatchObject({ ok: true, ext: 'docx', mime: expect.stringContaining('wordprocessingml') });
    expect(await sniff(makeOoxml('xlsx'), 'bang.xlsx')).toMatchObject({ ok: true, ext: 'xlsx', mime: expect.stringContaining('spreadsheetml') });
    expect(await sniff(makeOoxml('pptx'), 'trinh-chieu.pptx')).toMatchObject({ ok: true, ext: 'pptx', mime: expect.stringContaining('presentationml') });
    expect(await sniff(makePng(), 'anh.png')).toEqual({ ok: true, ext: 'png', mime: 'image/png' });
    expect(await sniff(JPEG, 'anh.jpeg')).toEqual({ ok: true, ext: 'jpg', mime: 'image/jpeg' });
  });

  it('rejects a name that lies about the content', async () => {
    expect(await sniff(await makePdf(1), 'report.docx')).toMatchObject({ ok: false, reason: 'extension_mismatch', detected: 'pdf', claimed: 'docx' });
    expect(await sniff(makeOoxml('xlsx'), 'report.docx')).toMatchObject({ ok: false, reason: 'extension_mismatch', detected: 'xlsx' });
    expect(await sniff(makePng(), 'report.pdf')).toMatchObject({ ok: false, reason: 'extension_mismatch', detected: 'png' });
    expect(await sniff(await makePdf(1), 'no-extension')).toMatchObject({ ok: false, reason: 'extension_mismatch', claimed: '' });
  });

  it('refuses unsupported and unrecognisable content whatever the name', async () => {
    expect(await sniff(makeExe(), 'tailieu.pdf')).toMatchObject({ ok: false, reason: 'unsupported', detected: 'exe' });
    expect(await sniff(makeZip(), 'tailieu.docx')).toMatchObject({ ok: false, reason: 'unsupported', detected: 'zip' });
    expect(await sniff(Buffer.from('just some text\n'.repeat(20)), 'a.pdf')).toMatchObject({ ok: false, reason: 'unrecognised' });
    expect(await sniff(Buffer.alloc(0), 'empty.pdf')).toMatchObject({ ok: false, reason: 'unrecognised' });
  });

  it('folds extension spellings and explains rejections in Vietnamese and English', () => {
    expect(claimedExtension('A.JPEG')).toBe('jpg');
    expect(claimedExtension('a.tar.gz')).toBe('gz');
    expect(claimedExtension('.hidden')).toBe('');
    const msg = sniffMessage({ ok: false, reason: 'extension_mismatch', detected: 'pdf', claimed: 'docx' });
    expect(msg).toContain('không khớp');
    expect(msg).toContain('does not match');
  });
});
