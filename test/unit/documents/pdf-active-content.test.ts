import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countPdfPages } from '../../../server/src/modules/documents/documents.pdf.ts';
import { makeActivePdf, makePdf, type ActivePdfKind } from '../../helpers/document-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-pdf-active-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

describe('PDFs with active content are refused at upload', () => {
  const kinds: ActivePdfKind[] = ['javascript', 'open_action', 'launch', 'additional_actions', 'embedded_file'];
  for (const kind of kinds) {
    it(`refuses ${kind}`, async () => {
      const path = write(`${kind}.pdf`, await makeActivePdf(kind));
      await expect(countPdfPages(path)).rejects.toMatchObject({ status: 415, code: 'ACTIVE_CONTENT' });
    });
  }

  it('sees names hidden in compressed object streams, where a byte search finds nothing', async () => {
    // The link annotation and its /Launch action sit inside a compressed object stream.
    const bytes = await makeActivePdf('launch');
    expect(bytes.includes('/Launch')).toBe(false);
    await expect(countPdfPages(write('hidden.pdf', bytes))).rejects.toMatchObject({ code: 'ACTIVE_CONTENT', details: { found: '/S /Launch' } });
  });

  it('accepts a plain PDF', async () => {
    expect(await countPdfPages(write('plain.pdf', await makePdf(2)))).toBe(2);
  });
});
