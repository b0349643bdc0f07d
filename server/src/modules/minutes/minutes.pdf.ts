/**
 * The minutes as an A4 PDF (pdf-lib), from the same blocks as the DOCX, with
 * the Unicode font the confidential viewer and the report PDF use (DejaVu,
 * every Vietnamese glyph) embedded, plus its bold and oblique faces. Saved
 * with a classic cross-reference table so the signature placeholder can be
 * appended as an incremental update (minutes.sign.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fontkit from '@cantoo/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import { DEFAULT_FONT } from '../documents/documents.render.ts';
import type { Block, Para, Run, Table } from './minutes.layout.ts';

const A4 = { w: 595.28, h: 841.89 };
// Nghị định 30/2020: margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
const M = { top: 60, bottom: 60, left: 85, right: 50 };
const BODY = 12;
const WIDTH = A4.w - M.left - M.right;

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  italic: PDFFont;
}
const fontOf = (f: Fonts, r: Omit<Run, 'text'>) => (r.bold ? f.bold : r.italic ? f.italic : f.regular);

interface Word {
  text: string;
  run: Run;
  width: number;
  space: number;
}

/** Breaks a paragraph's runs into lines of words that fit `width`. */
function lines(f: Fonts, runs: readonly Run[], size: number, width: number): Word[][] {
  const words: Word[] = [];
  for (const run of runs) {
    const font = fontOf(f, run);
    const parts = run.text.split(/(?<= )/);
    for (const part of parts) {
      if (!part) continue;
      const text = part.trimEnd();
      words.push({ text, run, width: font.widthOfTextAtSize(text, size), space: part.length > text.length ? font.widthOfTextAtSize(' ', size) : 0 });
    }
  }
  const out: Word[][] = [];
  let line: Word[] = [];
  let w = 0;
  for (const word of words) {
    if (line.length && w + word.width > width) {
      out.push(line);
      line = [];
      w = 0;
    }
    line.push(word);
    w += word.width + word.space;
  }
  if (line.length) out.push(line);
  return out.length ? out : [[]];
}

class Writer {
  page!: PDFPage;
  y = 0;
  constructor(
    readonly pdf: PDFDocument,
    readonly f: Fonts,
  ) {
    this.newPage();
  }
  newPage() {
    this.page = this.pdf.addPage([A4.w, A4.h]);
    this.y = A4.h - M.top;
  }
  need(h: number) {
    if (this.y - h < M.bottom) this.newPage();
  }
  /** Draws a paragraph in a column [x, x+width); returns the height used. */
  para(p: Para, x = M.left, width = WIDTH, draw = true): number {
    const size = p.size ?? BODY;
    const indent = (p.indent ?? 0) * 18;
    const ls = lines(this.f, p.runs, size, width - indent);
    const lh = size * 1.35;
    let y = this.y;
    for (const line of ls) {
      if (draw) {
        this.need(lh);
        y = this.y;
      }
      const lw = line.reduce((s, w, i) => s + w.width + (i < line.length - 1 ? w.space : 0), 0);
      let cx = x + indent + (p.align === 'center' ? (width - indent - lw) / 2 : p.align === 'right' ? width - indent - lw : 0);
      for (const [i, w] of line.entries()) {
        if (draw) {
          this.page.drawText(w.text, { x: cx, y: y - size, size, font: fontOf(this.f, w.run) });
          // One unbroken rule under an underlined phrase: it spans the space to the next underlined word.
          const span = w.width + (line[i + 1]?.run.underline ? w.space : 0);
          if (w.run.underline) this.page.drawLine({ start: { x: cx, y: y - size - 2 }, end: { x: cx + span, y: y - size - 2 }, thickness: 0.6 });
        }
        cx += w.width + w.space;
      }
      if (draw) this.y -= lh;
      y -= lh;
    }
    if (draw) this.y -= 3;
    return ls.length * lh + 3;
  }
  table(t: Table) {
    const size = 9;
    const total = t.widths.reduce((a, b) => a + b, 0);
    const cols = t.widths.map((w) => (w / total) * WIDTH);
    const row = (cells: string[], bold: boolean) => {
      const cellParas = cells.map((c): Para => ({ kind: 'para', runs: [{ text: c, bold }], size }));
      const h = Math.max(...cellParas.map((cp, i) => this.para(cp, 0, cols[i]! - 6, false))) + 4;
      this.need(h);
      let x = M.left;
      const top = this.y;
      cellParas.forEach((cp, i) => {
        this.page.drawRectangle({ x, y: top - h, width: cols[i]!, height: h, borderColor: rgb(0, 0, 0), borderWidth: 0.5 });
        this.y = top - 2;
        this.para(cp, x + 3, cols[i]! - 6);
        x += cols[i]!;
      });
      this.y = top - h;
    };
    row(t.head, true);
    for (const r of t.rows) row(r, false);
    this.y -= 6;
  }
  columns(left: Para[], right: Para[]) {
    // The right column (national motto, Party name) is the wider one in both official layouts.
    const lw = WIDTH * 0.42 + 20;
    const rw = WIDTH * 0.58 + 30;
    const height = (ps: Para[], w: number) => ps.reduce((s, p) => s + this.para(p, 0, w, false), 0);
    this.need(Math.max(height(left, lw), height(right, rw)));
    const top = this.y;
    for (const p of left) this.para(p, M.left - 30, lw);
    const lowest = this.y;
    this.y = top;
    for (const p of right) this.para(p, M.left + lw - 30, rw);
    this.y = Math.min(lowest, this.y) - 8;
  }
}

/** A sibling face of the default font; fonts-dejavu-core has no oblique, so italics fall back to the regular face. */
const face = (name: string) => {
  const f = join(dirname(DEFAULT_FONT), name);
  return existsSync(f) ? f : DEFAULT_FONT;
};

export async function minutesPdf(blocks: readonly Block[], title: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const load = async (file: string) => pdf.embedFont(await readFile(file), { subset: true });
  const fonts: Fonts = {
    regular: await load(DEFAULT_FONT),
    bold: await load(face('DejaVuSans-Bold.ttf')),
    italic: await load(face('DejaVuSans-Oblique.ttf')),
  };
  pdf.setTitle(title);
  pdf.setLanguage('vi-VN');
  pdf.setProducer('diemcau');
  pdf.setCreator('diemcau');
  const w = new Writer(pdf, fonts);
  for (const b of blocks) {
    if (b.kind === 'para') w.para(b);
    else if (b.kind === 'table') w.table(b);
    else w.columns(b.left, b.right);
  }
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}
