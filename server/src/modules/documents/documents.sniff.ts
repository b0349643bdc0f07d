/**
 * Decides what an uploaded file really is from its bytes (file-type), and
 * rejects a file whose name claims something else. The client's Content-Type
 * is never trusted.
 */
import { extname } from 'node:path';

/** The formats the meeting materials may be in, by canonical extension. */
export const ACCEPTED_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
} as const;
export type AcceptedExt = keyof typeof ACCEPTED_TYPES;

// Spellings of the same format that people actually use in file names.
const ALIASES: Record<string, AcceptedExt> = { jpeg: 'jpg', jpe: 'jpg', jfif: 'jpg' };

export type SniffResult =
  | { ok: true; ext: AcceptedExt; mime: string }
  | { ok: false; reason: 'unrecognised' | 'unsupported' | 'extension_mismatch'; detected: string | null; claimed: string };

/** Lower-case extension of a file name without the dot, aliases folded; '' when none. */
export function claimedExtension(fileName: string): string {
  const ext = extname(fileName).slice(1).toLowerCase();
  return ALIASES[ext] ?? ext;
}

const isAccepted = (ext: string): ext is AcceptedExt => Object.prototype.hasOwnProperty.call(ACCEPTED_TYPES, ext);

/** Classifies already-detected bytes against the claimed file name. */
export function judge(detected: { ext: string } | undefined, fileName: string): SniffResult {
  const claimed = claimedExtension(fileName);
  if (!detected) return { ok: false, reason: 'unrecognised', detected: null, claimed };
  const ext = ALIASES[detected.ext] ?? detected.ext;
  if (!isAccepted(ext)) return { ok: false, reason: 'unsupported', detected: ext, claimed };
  if (claimed !== ext) return { ok: false, reason: 'extension_mismatch', detected: ext, claimed };
  return { ok: true, ext, mime: ACCEPTED_TYPES[ext] };
}

/** Sniffs a file on disk (reads only as much as the format needs). */
export async function sniffFile(path: string, fileName: string): Promise<SniffResult> {
  // Loaded on the first upload: file-type is some thirty ES modules, which start-up need not resolve.
  const { fileTypeFromFile } = await import('file-type');
  return judge(await fileTypeFromFile(path), fileName);
}

/** Vietnamese-first human message for a rejected upload. */
export function sniffMessage(r: Exclude<SniffResult, { ok: true }>): string {
  const list = 'PDF, DOCX, XLSX, PPTX, PNG, JPG, GIF, WEBP';
  switch (r.reason) {
    case 'unrecognised':
      return `Không nhận ra định dạng tệp (chấp nhận: ${list}). / Unrecognised file format (accepted: ${list}).`;
    case 'unsupported':
      return `Định dạng ${r.detected} không được chấp nhận (chấp nhận: ${list}). / Format ${r.detected} is not accepted.`;
    case 'extension_mismatch': {
      const vi = r.claimed ? `Đuôi tệp ".${r.claimed}"` : 'Tên tệp không có đuôi, nên';
      const en = r.claimed ? `The ".${r.claimed}" extension` : 'A missing extension';
      return `${vi} không khớp nội dung (${r.detected}). / ${en} does not match the content (${r.detected}).`;
    }
  }
}
