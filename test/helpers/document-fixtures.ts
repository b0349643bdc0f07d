/**
 * Real, minimal files of every accepted format, built in memory so the
 * document tests need no binary fixtures in the repo.
 */
import { zipSync, strToU8 } from 'fflate';
import { PNG } from 'pngjs';
import * as jsqrModule from 'jsqr';
import { PDFDocument, PDFName, PDFString, StandardFonts, rgb } from '@cantoo/pdf-lib';

/** A PDF with `pages` A4 pages, each saying its number in large type. */
export async function makePdf(pages = 1, label = 'Page'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const p = doc.addPage([595, 842]);
    p.drawText(`${label} ${i}`, { x: 60, y: 700, size: 48, font, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await doc.save());
}

const OOXML: Record<'docx' | 'xlsx' | 'pptx', { dir: string; part: string; type: string }> = {
  docx: { dir: 'word', part: 'document.xml', type: 'wordprocessingml.document.main+xml' },
  xlsx: { dir: 'xl', part: 'workbook.xml', type: 'spreadsheetml.sheet.main+xml' },
  pptx: { dir: 'ppt', part: 'presentation.xml', type: 'presentationml.presentation.main+xml' },
};

/** A structurally valid (if tiny) Office Open XML package. */
export function makeOoxml(kind: 'docx' | 'xlsx' | 'pptx'): Buffer {
  const k = OOXML[kind];
  const types = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/${k.dir}/${k.part}" ContentType="application/vnd.openxmlformats-officedocument.${k.type}"/></Types>`;
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(types),
      '_rels/.rels': strToU8('<?xml version="1.0"?><Relationships/>'),
      [`${k.dir}/${k.part}`]: strToU8('<?xml version="1.0"?><root>Báo cáo</root>'),
    }),
  );
}

/** A plain ZIP that is not an Office document. */
export const makeZip = (): Buffer => Buffer.from(zipSync({ 'notes.txt': strToU8('hello') }));

/** A solid-colour PNG. */
export function makePng(width = 40, height = 30, rgbTriple: [number, number, number] = [200, 30, 30]): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[i * 4] = rgbTriple[0];
    png.data[i * 4 + 1] = rgbTriple[1];
    png.data[i * 4 + 2] = rgbTriple[2];
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** A Windows executable header: a format we must refuse whatever its name. */
export const makeExe = (): Buffer => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);

/** Deterministic pseudo-random bytes (for range tests where every byte should differ). */
export function patternBytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is CommonJS with `exports.default`: depending on the loader the function
// sits at .default or .default.default.
const jsqrDefault = (jsqrModule as unknown as { default: JsQr | { default: JsQr } }).default;
const jsQR: JsQr = typeof jsqrDefault === 'function' ? jsqrDefault : jsqrDefault.default;

/** Decodes a QR PNG with an independent decoder (jsQR). */
export function decodeQrPng(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height)?.data ?? null;
}

export type ActivePdfKind = 'javascript' | 'open_action' | 'launch' | 'additional_actions' | 'embedded_file';

/**
 * A PDF carrying active content of the given kind, saved with compressed object
 * streams (pdf-lib's default) so the names are not visible to a byte search.
 */
export async function makeActivePdf(kind: ActivePdfKind): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const ctx = doc.context;
  switch (kind) {
    case 'javascript':
      doc.addJavaScript('hello', 'app.alert("xin chao")');
      break;
    case 'open_action':
      doc.catalog.set(PDFName.of('OpenAction'), ctx.register(ctx.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of('app.alert(1)') })));
      break;
    case 'launch': {
      const action = ctx.obj({ Type: 'Action', S: 'Launch', F: PDFString.of('calc.exe') });
      const annot = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [0, 0, 100, 100], A: action }));
      page.node.set(PDFName.of('Annots'), ctx.obj([annot]));
      break;
    }
    case 'additional_actions':
      page.node.set(PDFName.of('AA'), ctx.obj({ O: ctx.obj({ S: 'JavaScript', JS: PDFString.of('1') }) }));
      break;
    case 'embedded_file':
      await doc.attach(Buffer.from('bí mật'), 'ghi-chu.txt', { mimeType: 'text/plain' });
      break;
  }
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}
