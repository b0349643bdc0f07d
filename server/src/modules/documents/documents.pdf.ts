/**
 * PDF facts needed at upload time, in pure JS (@cantoo/pdf-lib, the maintained
 * pdf-lib fork) so uploads do not depend on an external binary.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../lib/app-error.ts';

/**
 * Page count of the PDF at `path`. Encrypted files are still counted: the
 * page tree is not encrypted, only content streams. Unreadable PDFs are a 415.
 */
export async function countPdfPages(path: string): Promise<number> {
  // Loaded on first upload rather than at server start (see documents.render.ts).
  const [bytes, { PDFDocument, ParseSpeeds }] = await Promise.all([readFile(path), import('@cantoo/pdf-lib')]);
  try {
    const doc = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: false,
      parseSpeed: ParseSpeeds.Fastest,
    });
    const pages = doc.getPageCount();
    if (pages < 1) throw new Error('no pages');
    return pages;
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Tệp PDF bị hỏng hoặc không đọc được. / The PDF is damaged or unreadable.');
  }
}
