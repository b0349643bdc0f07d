/**
 * PDF facts needed at upload time, in pure JS (@cantoo/pdf-lib, the maintained
 * pdf-lib fork) so uploads do not depend on an external binary.
 */
import { readFile } from 'node:fs/promises';
import type { PDFDocument, PDFObject } from '@cantoo/pdf-lib';
import { AppError } from '../../lib/app-error.ts';

// Loaded on first upload rather than at server start (see documents.render.ts).
type PdfLib = typeof import('@cantoo/pdf-lib');

/**
 * Dictionary keys that make a PDF act rather than display: scripts, launching
 * programs, actions run on open/close/page events, and files carried inside.
 * Delegates open these files on phones and office PCs, so they are refused.
 */
const ACTIVE_KEYS = new Set(['JS', 'JavaScript', 'AA', 'OpenAction', 'Launch', 'EmbeddedFiles', 'EmbeddedFile', 'RichMedia', 'XFA']);
/** Action types (/S) refused wherever an action dictionary appears (links, outlines, form fields). */
const ACTIVE_ACTIONS = new Set(['JavaScript', 'Launch', 'ImportData', 'SubmitForm', 'Rendition', 'GoToE']);

/**
 * The first active-content feature found in the object graph, or null. Walks
 * every parsed object, including those that sat in compressed object streams
 * (which a byte regex on the raw file cannot see).
 */
function findActiveContent(doc: PDFDocument, { PDFArray, PDFDict, PDFName, PDFRef, PDFStream }: PdfLib): string | null {
  const seen = new Set<PDFObject>();
  const visit = (o: PDFObject | undefined): string | null => {
    if (!o || o instanceof PDFRef || seen.has(o)) return null;
    seen.add(o);
    if (o instanceof PDFArray) {
      for (const x of o.asArray()) {
        const hit = visit(x);
        if (hit) return hit;
      }
      return null;
    }
    // Streams carry their dictionary in .dict.
    const dict = o instanceof PDFDict ? o : o instanceof PDFStream ? o.dict : null;
    if (!dict) return null;
    for (const [key, value] of dict.entries()) {
      const k = key.decodeText();
      if (ACTIVE_KEYS.has(k)) return `/${k}`;
      if (k === 'S' && value instanceof PDFName && ACTIVE_ACTIONS.has(value.decodeText())) return `/S /${value.decodeText()}`;
      if (k === 'Type' && value instanceof PDFName && (value.decodeText() === 'Filespec' || value.decodeText() === 'EmbeddedFile')) return `/Type /${value.decodeText()}`;
      const hit = visit(value);
      if (hit) return hit;
    }
    return null;
  };
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    const hit = visit(obj);
    if (hit) return hit;
  }
  return visit(doc.context.trailerInfo.Root as PDFObject | undefined);
}

/**
 * Page count of the PDF at `path`. Encrypted files are still counted: the
 * page tree is not encrypted, only content streams. Unreadable PDFs are a 415;
 * PDFs with scripts, launch actions or embedded files are refused (415 ACTIVE_CONTENT).
 */
export async function countPdfPages(path: string): Promise<number> {
  const [bytes, lib] = await Promise.all([readFile(path), import('@cantoo/pdf-lib')]);
  let doc: PDFDocument;
  let pages: number;
  try {
    doc = await lib.PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: false,
      parseSpeed: lib.ParseSpeeds.Fastest,
    });
    pages = doc.getPageCount();
    if (pages < 1) throw new Error('no pages');
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Tệp PDF bị hỏng hoặc không đọc được. / The PDF is damaged or unreadable.');
  }
  const active = findActiveContent(doc, lib);
  if (active) {
    throw new AppError(
      'ACTIVE_CONTENT',
      415,
      'Tệp PDF chứa mã JavaScript, lệnh chạy chương trình hoặc tệp đính kèm nên bị từ chối; hãy in lại ra PDF thường. / The PDF contains JavaScript, a launch action or embedded files and was refused; print it to a plain PDF.',
      { found: active },
    );
  }
  return pages;
}
