/**
 * HTTP semantics of a file download, decided before any byte is read: Range
 * (RFC 9110 §14), strong ETag from the content hash, conditional requests, and
 * Content-Disposition with an RFC 5987 `filename*` for Vietnamese names.
 * The route then streams exactly [start, end] from disk.
 */
import contentDisposition from 'content-disposition';
import parseRange from 'range-parser';
import { stripDiacritics } from '@diemcau/shared';

export interface DownloadRequest {
  method: string;
  range?: string | undefined;
  ifRange?: string | undefined;
  ifNoneMatch?: string | undefined;
}

export type DownloadPlan =
  | { status: 200 | 206; start: number; end: number; headers: Record<string, string> }
  | { status: 304 | 416; headers: Record<string, string> };

/** Strong validator: files are content-addressed, so the hash names the exact bytes. */
export const etagOf = (sha256: string) => `"${sha256}"`;

function matchesEtag(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** ASCII rendering of a Vietnamese file name for clients that ignore `filename*`. */
export function asciiFileName(name: string): string {
  const ascii = stripDiacritics(name)
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return ascii.trim() || 'download';
}

/** Content-Disposition for `name`: ASCII `filename` plus UTF-8 `filename*` when they differ. */
export function dispositionFor(name: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const clean = name.normalize('NFC').replace(/[\r\n\\/]/g, '_');
  return contentDisposition(clean, { type, fallback: asciiFileName(clean) });
}

/** Decides status, byte span and headers for a download of `size` bytes. */
export function planDownload(req: DownloadRequest, f: { size: number; sha256: string; mime: string; fileName: string }): DownloadPlan {
  const etag = etagOf(f.sha256);
  const base: Record<string, string> = {
    etag,
    'accept-ranges': 'bytes',
    'content-type': f.mime,
    'content-disposition': dispositionFor(f.fileName),
    // Per-user, receipt-producing responses: no shared caches; the browser may revalidate.
    'cache-control': 'private, no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (req.ifNoneMatch && matchesEtag(req.ifNoneMatch, etag)) return { status: 304, headers: { etag, 'cache-control': base['cache-control']! } };

  // If-Range with a stale validator means "send it all".
  const rangeApplies = req.range !== undefined && (req.ifRange === undefined || req.ifRange.trim() === etag);
  if (rangeApplies && f.size > 0) {
    const r = parseRange(f.size, req.range!, { combine: true });
    if (r === -1) return { status: 416, headers: { 'content-range': `bytes */${f.size}`, 'accept-ranges': 'bytes' } };
    // Malformed headers are ignored (RFC 9110 §14.2); several disjoint ranges are
    // answered with the whole file rather than multipart/byteranges.
    if (r !== -2 && r.type === 'bytes' && r.length === 1) {
      const { start, end } = r[0]!;
      return {
        status: 206,
        start,
        end,
        headers: { ...base, 'content-range': `bytes ${start}-${end}/${f.size}`, 'content-length': String(end - start + 1) },
      };
    }
  }
  return { status: 200, start: 0, end: Math.max(0, f.size - 1), headers: { ...base, 'content-length': String(f.size) } };
}
