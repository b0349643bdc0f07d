import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { countPdfPages } from '../../../server/src/modules/documents/documents.pdf.ts';
import { PageRenderer, watermarkText, type RenderSource, type Viewer } from '../../../server/src/modules/documents/documents.render.ts';
import { makePdf, makePng } from '../../helpers/document-fixtures.ts';

let dir: string;
let pdfPath: string;
let src: RenderSource;
const renderer = PageRenderer.create();
const alice: Viewer = { userId: 41, name: 'Nguyễn Thị Ánh', unit: 'Huyện ủy Lục Yên', at: new Date('2025-06-01T01:30:00Z') };
const bob: Viewer = { userId: 42, name: 'Trần Văn Đức', unit: 'Xã Minh Xuân', at: new Date('2025-06-01T01:31:00Z') };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dc-pdf-'));
  pdfPath = join(dir, 'doc.pdf');
  await writeFile(pdfPath, await makePdf(3, 'Secret page'));
  src = { path: pdfPath, mime: 'application/pdf', sha256: 'f'.repeat(64), pages: 3 };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const png = (b: Buffer) => PNG.sync.read(b);
/** Share of pixels that differ between two same-size images. */
function diffRatio(a: PNG, b: PNG): number {
  const [w, h] = [Math.min(a.width, b.width), Math.min(a.height, b.height)];
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [i, j] = [(y * a.width + x) * 4, (y * b.width + x) * 4];
      if (Math.abs(a.data[i]! - b.data[j]!) + Math.abs(a.data[i + 1]! - b.data[j + 1]!) > 30) n++;
    }
  }
  return n / (w * h);
}

describe('PDF page counting', () => {
  it('counts pages', async () => {
    expect(await countPdfPages(pdfPath)).toBe(3);
  });
  it('refuses a damaged PDF with 415', async () => {
    const bad = join(dir, 'bad.pdf');
    await writeFile(bad, '%PDF-1.7\n%garbage that is not a pdf\n');
    await expect(countPdfPages(bad)).rejects.toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});

describe('confidential page renderer', () => {
  it('formats the watermark with name, unit, Vietnam time and user id', () => {
    expect(watermarkText(alice)).toBe('Nguyễn Thị Ánh · Huyện ủy Lục Yên · 08:30 01/06/2025 · #41');
  });

  it('stamps the viewer into the page as real text', async () => {
    const pdf = await renderer.stamp(makePng(600, 800, [255, 255, 255]), 'png', 600, alice, '1/1');
    const text = execFileSync('pdftotext', ['-raw', '-', '-'], { input: Buffer.from(pdf) }).toString();
    expect(text).toContain('Nguyễn Thị Ánh · Huyện ủy Lục Yên');
    expect(text).toContain('MẬT');
  });

  it('renders a watermarked PNG per viewer, different for each viewer', async () => {
    const a = png(await renderer.render(src, 2, alice, 800));
    const b = png(await renderer.render(src, 2, bob, 800));
    expect(a.width).toBe(800);
    expect(Math.abs(a.height - (842 * 800) / 595)).toBeLessThanOrEqual(1);
    const clean = png(cleanPng());
    expect(clean.width).toBe(800);
    // The watermark covers a real share of the page, and it is per viewer.
    expect(diffRatio(a, clean)).toBeGreaterThan(0.02);
    expect(diffRatio(a, b)).toBeGreaterThan(0.005);
    // The page content is still there under the watermark: the dark text of "Secret page 2".
    expect(darkShare(a)).toBeGreaterThan(0.002);
  });

  it('renders images and rejects pages out of range or unrenderable formats', async () => {
    const imgPath = join(dir, 'scan.png');
    await writeFile(imgPath, makePng(300, 200, [240, 240, 240]));
    const out = png(await renderer.render({ path: imgPath, mime: 'image/png', sha256: 'e'.repeat(64), pages: 1 }, 1, alice, 600));
    expect([out.width, out.height]).toEqual([600, 400]);
    await expect(renderer.render(src, 4, alice)).rejects.toMatchObject({ status: 404 });
    await expect(renderer.render(src, 0, alice)).rejects.toMatchObject({ status: 404 });
    await expect(renderer.render({ ...src, mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }, 1, alice)).rejects.toMatchObject({ status: 415 });
  });

  it('reports a missing rasteriser as a server error instead of crashing', async () => {
    const broken = PageRenderer.create({ pdftoppm: '/nonexistent/pdftoppm' });
    await expect(broken.render({ ...src, sha256: 'd'.repeat(64) }, 1, alice)).rejects.toMatchObject({ status: 500, message: expect.stringContaining('poppler') });
  });
});

function cleanPng(): Buffer {
  return execFileSync('pdftoppm', ['-png', '-f', '2', '-l', '2', '-singlefile', '-scale-to-x', '800', '-scale-to-y', '-1', pdfPath]);
}

/** Share of near-black pixels (page text, not the light red watermark). */
function darkShare(p: PNG): number {
  let n = 0;
  for (let i = 0; i < p.data.length; i += 4) if (p.data[i]! < 60 && p.data[i + 1]! < 60 && p.data[i + 2]! < 60) n++;
  return n / (p.width * p.height);
}
