/**
 * Checks a final minutes PDF: its PAdES signature (the byte range covers the
 * whole file but the signature itself, and the CMS verifies against the CA
 * with `openssl cms`), and that its SHA-256 is the one the audit chain
 * recorded when it was finalised, with the chain itself intact. Shared by the
 * `verify-minutes` command and the tests.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../db/database.ts';
import { findAuditByDetail, verifyAudit } from '../audit/audit.store.ts';

export interface SignatureCheck {
  ok: boolean;
  message: string;
}

/** Length of the DER object at the start of `b` (the hex placeholder is zero-padded after it). */
function derLength(b: Buffer): number {
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

export function verifySignature(pdf: Buffer, caFile: string): SignatureCheck {
  const text = pdf.toString('latin1');
  const all = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const m = all.at(-1);
  if (!m) return { ok: false, message: 'no signature in the file' };
  const [a, b, c, d] = m.slice(1, 5).map(Number) as [number, number, number, number];
  if (a !== 0 || c + d !== pdf.length || b >= c) return { ok: false, message: 'the signature does not cover the whole file' };
  const hex = pdf.subarray(b + 1, c - 1).toString('latin1');
  if (!/^[0-9a-fA-F]+$/.test(hex)) return { ok: false, message: 'the signature value is not hex' };
  const raw = Buffer.from(hex, 'hex');
  const cms = raw.subarray(0, Math.min(raw.length, derLength(raw)));
  const tmp = mkdtempSync(join(tmpdir(), 'diemcau-verify-'));
  try {
    writeFileSync(join(tmp, 'sig.der'), cms);
    writeFileSync(join(tmp, 'data.bin'), Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]));
    execFileSync(
      'openssl',
      ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(tmp, 'sig.der'), '-content', join(tmp, 'data.bin'), '-CAfile', caFile, '-purpose', 'any', '-out', join(tmp, 'out.bin')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { ok: true, message: 'signature valid' };
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return { ok: false, message: `signature invalid: ${(e.stderr?.toString() || e.message).trim().split('\n')[0]}` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface RecordCheck {
  ok: boolean;
  sha256: string;
  message: string;
  /** The finalising audit entry that records this file, if any. */
  entry: { meetingId: string | null; version: number; at: string } | null;
}

/** Whether the file's hash is the one recorded by a `minutes.finalise` audit entry, in an intact chain. */
export async function verifyRecorded(s: Store, pdf: Buffer): Promise<RecordCheck> {
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const row = await findAuditByDetail(s, 'minutes.finalise', 'pdfSha256', sha256);
  if (!row) return { ok: false, sha256, message: `no finalised minutes with SHA-256 ${sha256} in the audit chain`, entry: null };
  const chain = await verifyAudit(s);
  const entry = { meetingId: row.targetId, version: (row.details as { version: number }).version, at: row.at };
  if (!chain.ok) return { ok: false, sha256, message: `the hash is recorded but the audit chain is broken: ${chain.message}`, entry };
  return { ok: true, sha256, message: `recorded at ${row.at} for meeting ${row.targetId}, version ${entry.version}`, entry };
}
