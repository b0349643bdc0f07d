/**
 * The minutes as DOCX (the `docx` library), from the same blocks as the PDF.
 * Times New Roman 13/14 pt on A4 with the margins of Nghị định 30/2020, the
 * font Word documents of the administration use; header and signature blocks
 * are borderless two-column tables, as the templates lay them out.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table as DocxTable,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { Align, Block, Para } from './minutes.layout.ts';

const ALIGN = { left: AlignmentType.LEFT, center: AlignmentType.CENTER, right: AlignmentType.RIGHT, justify: AlignmentType.JUSTIFIED } as const satisfies Record<Align, unknown>;
const mm = (v: number) => Math.round((v / 25.4) * 1440);
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };

const para = (p: Para, size = 13) =>
  new Paragraph({
    alignment: ALIGN[p.align ?? 'left'],
    indent: p.indent ? { left: p.indent * 360 } : undefined,
    spacing: { after: 60 },
    children: p.runs.map((r) => new TextRun({ text: r.text, bold: r.bold, italics: r.italic, underline: r.underline ? {} : undefined, size: (p.size ?? size) * 2 })),
  });

const cell = (children: Paragraph[], widthPct: number, borders?: typeof NO_BORDERS) =>
  new TableCell({ children, width: { size: widthPct, type: WidthType.PERCENTAGE }, ...(borders && { borders }) });

function toDocx(b: Block): (Paragraph | DocxTable)[] {
  if (b.kind === 'para') return [para(b)];
  if (b.kind === 'columns') {
    return [
      new DocxTable({
        width: { size: 100, type: WidthType.PERCENTAGE },
        borders: NO_BORDERS,
        rows: [new TableRow({ children: [cell(b.left.map((p) => para(p)), 45, NO_BORDERS), cell(b.right.map((p) => para(p)), 55, NO_BORDERS)] })],
      }),
      new Paragraph({ children: [] }),
    ];
  }
  const total = b.widths.reduce((x, y) => x + y, 0);
  const row = (cells: string[], bold: boolean) =>
    new TableRow({ children: cells.map((c, i) => cell([para({ kind: 'para', runs: [{ text: c, bold }] }, 11)], (b.widths[i]! / total) * 100)) });
  return [new DocxTable({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [row(b.head, true), ...b.rows.map((r) => row(r, false))] }), new Paragraph({ children: [] })];
}

export async function minutesDocx(blocks: readonly Block[], title: string): Promise<Buffer> {
  const doc = new Document({
    title,
    creator: 'diemcau',
    styles: { default: { document: { run: { font: 'Times New Roman', size: 26 } } } },
    sections: [
      {
        properties: { page: { size: { width: mm(210), height: mm(297) }, margin: { top: mm(20), bottom: mm(20), left: mm(30), right: mm(15) } } },
        children: blocks.flatMap(toDocx),
      },
    ],
  });
  return Packer.toBuffer(doc);
}
