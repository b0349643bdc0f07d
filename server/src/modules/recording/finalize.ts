/**
 * Turning a recording's segments into its archive file: the finished
 * segments (those `segments.csv` lists, or after a crash every segment but
 * the one being written) are joined without re-encoding (ffmpeg concat),
 * measured with ffprobe and hashed with SHA-256.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../lib/app-error.ts';
import { SEGMENT_LIST, SEGMENT_PATTERN } from './recorder.ts';

const run = promisify(execFile);
export const FINAL_FILE = 'recording.webm';

/** Segment files in order; with `complete`, only those the encoder finished. */
export function segmentsOf(dir: string, complete: boolean): string[] {
  const all = existsSync(dir) ? readdirSync(dir).filter((f) => SEGMENT_PATTERN.test(f)).sort() : [];
  if (!complete) return all;
  const listed = existsSync(join(dir, SEGMENT_LIST))
    ? readFileSync(join(dir, SEGMENT_LIST), 'utf8').split('\n').map((l) => l.split(',')[0]!.trim()).filter((f) => SEGMENT_PATTERN.test(f))
    : [];
  const set = new Set(listed);
  return all.filter((f) => set.has(f));
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface ProbeResult {
  durationMs: number;
}

export async function probe(ffprobeBin: string, path: string): Promise<ProbeResult> {
  const { stdout } = await run(ffprobeBin, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', path]);
  const j = JSON.parse(stdout) as { format?: { duration?: string } };
  return { durationMs: Math.round(Number(j.format?.duration ?? 0) * 1000) };
}

export interface Finalized {
  size: number;
  sha256: string;
  durationMs: number;
  segments: number;
}

/** Joins the finished segments into FINAL_FILE, then removes them. */
export async function finalize(bins: { ffmpegBin: string; ffprobeBin: string }, dir: string): Promise<Finalized> {
  const segments = segmentsOf(dir, true);
  if (segments.length === 0) throw new AppError('MEDIA_ERROR', 500, 'The recording has no finished segment');
  const list = join(dir, 'concat.txt');
  writeFileSync(list, segments.map((s) => `file '${s}'`).join('\n') + '\n');
  const out = join(dir, FINAL_FILE);
  await run(bins.ffmpegBin, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out]);
  const [sha256, p] = await Promise.all([sha256File(out), probe(bins.ffprobeBin, out)]);
  // The file is now the record; the segments (finished or not) and work files go.
  for (const s of segmentsOf(dir, false)) rmSync(join(dir, s), { force: true });
  rmSync(list, { force: true });
  return { size: statSync(out).size, sha256, durationMs: p.durationMs, segments: segments.length };
}
