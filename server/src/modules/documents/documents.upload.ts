/**
 * Receiving a document upload: the multipart form's text fields, checked one by one, and its one
 * file, staged, sniffed and measured, before the service records anything (documents.service.ts).
 */
import type { FastifyRequest } from 'fastify';
import { CLASSIFICATIONS, ROLES, humanTextProblem, normalizeHumanText, type Classification, type Role } from '@diemcau/shared';
import { AppError, badRequest } from '../../lib/app-error.ts';
import { countPdfPages } from './documents.pdf.ts';
import { sniffFile, sniffMessage } from './documents.sniff.ts';
import { tooLarge, type BlobStore, type StagedFile } from './documents.storage.ts';

export interface UploadFields {
  title?: string;
  classification?: Classification;
  audienceRoles?: Role[];
  audienceUnitIds?: number[];
}

const list = (v: string) => v.split(/[\s,]+/).filter(Boolean);

/**
 * The uploaded file's name as it will be stored and offered for download: NFC, trimmed, no path.
 * A name hiding its real extension behind a bidi override (or carrying control characters) is refused.
 */
export function uploadFileName(raw: string): string {
  const name = normalizeHumanText(raw).replace(/[\\/]/g, '_').slice(0, 255);
  const problem = humanTextProblem(name, 'line', true);
  if (problem) throw badRequest(`file name ${problem}`, { field: '/file' });
  return name;
}

/** Parses the text fields of the upload form (strings only; typed errors on bad values). */
function parseField(f: UploadFields, name: string, value: string): void {
  const v = name === 'title' ? normalizeHumanText(value) : value.trim();
  switch (name) {
    case 'title':
      if (!v || v.length > 300) throw badRequest('title must be 1-300 characters');
      if (humanTextProblem(v)) throw badRequest(`title ${humanTextProblem(v)}`, { field: '/title' });
      f.title = v;
      return;
    case 'classification':
      if (!(CLASSIFICATIONS as readonly string[]).includes(v)) throw badRequest(`classification must be one of ${CLASSIFICATIONS.join(', ')}`);
      f.classification = v as Classification;
      return;
    case 'audienceRoles':
      if (!list(v).every((r) => (ROLES as readonly string[]).includes(r))) throw badRequest(`audienceRoles must be among ${ROLES.join(', ')}`);
      f.audienceRoles = list(v) as Role[];
      return;
    case 'audienceUnitIds':
      if (!list(v).every((u) => /^[1-9]\d{0,9}$/.test(u))) throw badRequest('audienceUnitIds must be unit ids');
      f.audienceUnitIds = list(v).map(Number);
      return;
    default:
      throw badRequest(`Unknown form field ${name}`);
  }
}

/**
 * Reads the multipart form (text fields first, then one file), stages the
 * file, checks it and commits it. Nothing is recorded unless all of that
 * succeeds; a failed upload leaves no file.
 */
export async function receiveUpload(req: FastifyRequest, store: BlobStore, maxBytes: number): Promise<{ fields: UploadFields; staged: StagedFile; fileName: string; mime: string; pages: number | null }> {
  const length = Number(req.headers['content-length'] ?? 0);
  // Refuse obviously oversized bodies before reading them (64 KiB for the form around the file).
  if (length > maxBytes + 65536) throw tooLarge(maxBytes);
  if (!req.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Send the file as multipart/form-data');
  const fields: UploadFields = {};
  let staged: StagedFile | null = null;
  let fileName = '';
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') throw badRequest(`Field ${part.fieldname} must be text`);
        parseField(fields, part.fieldname, part.value);
        continue;
      }
      if (part.fieldname !== 'file' || staged) {
        part.file.resume();
        throw badRequest('Send exactly one file, in the field "file"');
      }
      try {
        fileName = uploadFileName(part.filename);
      } catch (err) {
        part.file.resume();
        throw err;
      }
      const file = part.file;
      staged = await store.stage(file, { maxBytes: maxBytes, truncated: () => file.truncated });
    }
    if (!staged) throw badRequest('No file was sent (field "file")');
    const sniffed = await sniffFile(staged.tmpPath, fileName);
    if (!sniffed.ok) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, sniffMessage(sniffed), { reason: sniffed.reason, detected: sniffed.detected });
    const pages = sniffed.ext === 'pdf' ? await countPdfPages(staged.tmpPath) : sniffed.mime.startsWith('image/') ? 1 : null;
    return { fields, staged, fileName, mime: sniffed.mime, pages };
  } catch (err) {
    if (staged) await store.discard(staged);
    const e = err as { statusCode?: number; code?: string };
    if (!(err instanceof AppError) && e.statusCode === 413 && e.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw err;
  }
}
