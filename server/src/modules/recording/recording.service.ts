/**
 * Recording of a meeting's main stage: start and stop (audited, announced to
 * every screen), the meeting's recording policy, chapters from the agenda,
 * disk-space guards, recovery after a crash and deletion at the end of the
 * retention period. The encoder is recorder.ts, the mediasoup side
 * stage-tap.ts, the archive file finalize.ts.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgendaView, Classification, RecordingState } from '@diemcau/shared';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../lib/app-error.ts';
import type { AuditEvent } from '../../plugins/audit.ts';
import { appendAudit } from '../audit/audit.store.ts';
import type { MediaLogger } from '../media/logger.ts';
import type { MediaService } from '../media/media.service.ts';
import type { Room } from '../media/room.ts';
import { finalize } from './finalize.ts';
import { Recorder, stopEncoder } from './recorder.ts';
import * as repo from './recording.repo.ts';
import { mayRecord } from './recording.access.ts';
import type { RecordingChapter } from './recording.schema.ts';
import { StageTap } from './stage-tap.ts';

export interface RecordingConfig {
  ffmpegBin: string;
  ffprobeBin: string;
  segmentSeconds: number;
  audioSlots: number;
  retentionDays: number;
  /** A recording does not start with less free space than this. */
  minFreeMb: number;
  /** A running recording stops cleanly when free space falls below this. */
  stopFreeMb: number;
}

export interface RecordingServiceDeps {
  database: Database;
  config: RecordingConfig;
  /** Root directory of the recordings (under the data dir). */
  root: string;
  media: () => Promise<MediaService>;
  announce: (state: RecordingState) => void;
  log: MediaLogger;
  now?: () => number;
  /** Free bytes on the file system holding `dir`; statfs by default (tests give a small disk). */
  freeBytes?: (dir: string) => Promise<number>;
  /** How often free space is checked while recording. */
  diskCheckMs?: number;
}

interface Active {
  recordingId: number;
  meetingId: number;
  startedAt: number;
  recorder: Recorder;
  tap: StageTap;
  chapters: RecordingChapter[];
  currentItemId: number | null;
  timers: NodeJS.Timeout[];
  /** The last chapter list written while recording: written one after another, so none overtakes a newer one. */
  chaptersSaved: Promise<void>;
  stopping: Promise<repo.RecordingRow> | null;
}

const MB = 1024 * 1024;
/** Grace for an encoder a crashed server left running (recovery runs before the server is ready). */
const ORPHAN_GRACE_MS = 4000;
const defaultFree = async (dir: string) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

export type RecordingService = ReturnType<typeof createRecordingService>;

export function createRecordingService(deps: RecordingServiceDeps) {
  const { database, config, root, log } = deps;
  const now = deps.now ?? Date.now;
  const freeBytes = deps.freeBytes ?? defaultFree;
  const active = new Map<number, Active>();
  const starting = new Set<number>();
  mkdirSync(root, { recursive: true });

  const event = (actor: number | null, action: string, meetingId: number, details: unknown, ip: string | null = null): AuditEvent =>
    ({ actorUserId: actor, action, targetType: 'meeting', targetId: meetingId, details, ip });
  /** Updates a recording and audits the change in one transaction. */
  const updateAudited = (id: number, set: repo.RecordingUpdate, e: AuditEvent) =>
    database.tx(async (s) => {
      const row = await repo.updateRecording(s, id, set);
      await appendAudit(s, e);
      return row;
    });
  const update = (id: number, set: repo.RecordingUpdate) => database.run((s) => repo.updateRecording(s, id, set));

  function state(meetingId: number): RecordingState {
    const a = active.get(meetingId);
    return { meetingId, active: !!a && !a.stopping, recordingId: a?.recordingId ?? null, startedAt: a?.startedAt ?? null };
  }

  async function assertSpace(): Promise<void> {
    const free = await freeBytes(root);
    if (free < config.minFreeMb * MB) {
      throw new AppError('STORAGE_FULL', 507, `Not enough free disk space to record (${Math.floor(free / MB)} MB free, ${config.minFreeMb} MB needed)`);
    }
  }

  /** Chair: starts recording the meeting's main stage. */
  async function start(meetingId: number, actor: { userId: number; ip: string | null }, agenda: AgendaView | null): Promise<RecordingState> {
    const policy = await database.run((s) => repo.policyOf(s, meetingId));
    if (!mayRecord(policy)) {
      await database.tx((s) => appendAudit(s, event(actor.userId, 'recording.refused', meetingId, { reason: 'confidential' }, actor.ip)));
      throw new AppError('CONFIDENTIAL', 403, 'This meeting is confidential; the secretariat has not allowed recording it');
    }
    if (active.has(meetingId) || starting.has(meetingId)) throw new AppError('CONFLICT', 409, 'This meeting is already being recorded');
    starting.add(meetingId);
    try {
      await assertSpace();
      const service = await deps.media();
      const room = service.room(meetingId);
      if (!room || !service.snapshot(meetingId, false).stage.videoProducerId) {
        throw new AppError('CONFLICT', 409, 'Put a source with video on the main stage before recording');
      }
      return await launch(meetingId, actor, policy.classification, service, room, agenda);
    } finally {
      starting.delete(meetingId);
    }
  }

  async function launch(meetingId: number, actor: { userId: number; ip: string | null }, classification: Classification, service: MediaService, room: Room, agenda: AgendaView | null) {
    const at = now();
    const dirName = `${meetingId}-${at}`;
    const dir = join(root, dirName);
    mkdirSync(dir, { recursive: true });
    const item = agenda?.items.find((i) => i.id === agenda.currentItemId);
    const chapters: RecordingChapter[] = item ? [{ itemId: item.id, title: item.title, offsetMs: 0 }] : [];
    const row = await database.run((s) => repo.insertRecording(s, { meetingId, classification, dir: dirName, startedBy: actor.userId, startedAt: at, chapters }));
    let recorder: Recorder | null = null;
    let tap: StageTap | null = null;
    try {
      recorder = await Recorder.start({ ffmpegBin: config.ffmpegBin, dir, segmentSeconds: config.segmentSeconds, audioSlots: config.audioSlots, log });
      await update(row.id, { pid: recorder.pid });
      // The room may have closed while the encoder started.
      if (room.closed) throw new AppError('CONFLICT', 409, 'The meeting has no media room');
      tap = await StageTap.create({ room, peerId: `recorder:${row.id}`, userId: actor.userId, ports: recorder.ports, snapshot: () => service.snapshot(meetingId, false), log });
      // Media time 0: the slots start sending now, to an encoder already listening.
      const startedAt = now();
      await tap.start();
      const t = tap;
      // Keyframes until the encoder has its first one, then one per segment so segments can be cut on time.
      const early = setInterval(() => t.requestKeyFrame(), 1000);
      await recorder.started(30_000).finally(() => clearInterval(early));
      await updateAudited(row.id, { startedAt }, event(actor.userId, 'recording.start', meetingId, { recordingId: row.id, classification }, actor.ip));
      const a: Active = { recordingId: row.id, meetingId, startedAt, recorder, tap, chapters, currentItemId: item?.id ?? null, timers: [], chaptersSaved: Promise.resolve(), stopping: null };
      a.timers.push(setInterval(() => t.requestKeyFrame(), config.segmentSeconds * 1000));
      a.timers.push(setInterval(() => void checkDisk(a), deps.diskCheckMs ?? 5000));
      tap.onLost = () => void stop(meetingId, null, 'media_room_closed').catch((err: unknown) => log.error({ err, meetingId }, 'recording stop failed'));
      void recorder.exited().then(() => {
        if (active.get(meetingId) === a && !a.stopping) void stop(meetingId, null, 'encoder_exited').catch(() => {});
      });
      active.set(meetingId, a);
      const s = state(meetingId);
      deps.announce(s);
      return s;
    } catch (err) {
      tap?.close();
      recorder?.kill();
      await update(row.id, { status: 'failed', stoppedAt: now(), stopReason: (err as Error).message.slice(0, 300), pid: null });
      throw err;
    }
  }

  async function checkDisk(a: Active): Promise<void> {
    if (a.stopping) return;
    const free = await freeBytes(root).catch(() => Infinity);
    if (free < config.stopFreeMb * MB) {
      log.warn({ meetingId: a.meetingId, freeMb: Math.floor(free / MB) }, 'disk space low: stopping the recording');
      await stop(a.meetingId, null, 'disk_low').catch((err: unknown) => log.error({ err }, 'recording stop failed'));
    }
  }

  /** Stops the meeting's recording and finalises its file; `userId` null when the server stops it. */
  async function stop(meetingId: number, userId: number | null, reason: string, ip: string | null = null): Promise<repo.RecordingRow> {
    const a = active.get(meetingId);
    if (!a) throw new AppError('CONFLICT', 409, 'This meeting is not being recorded');
    a.stopping ??= (async () => {
      for (const t of a.timers) clearInterval(t);
      deps.announce({ meetingId, active: false, recordingId: a.recordingId, startedAt: null });
      // The encoder first, while media still flows: it finishes the segment it is writing.
      await a.recorder.stop();
      a.tap.close();
      const stoppedAt = now();
      await a.chaptersSaved;
      const row = await update(a.recordingId, { status: 'finalizing', stoppedAt, stoppedBy: userId, stopReason: reason, pid: null, chapters: a.chapters });
      try {
        return await seal(row, 'ready', userId, { reason }, ip);
      } finally {
        active.delete(meetingId);
      }
    })();
    return a.stopping;
  }

  /** Joins the segments, records the file's SHA-256 in the audit chain, and marks the recording `status`. */
  async function seal(row: repo.RecordingRow, status: 'ready' | 'interrupted', actor: number | null, details: object, ip: string | null = null): Promise<repo.RecordingRow> {
    const recordingId = row.id;
    try {
      // ffmpeg and the hash first: a transaction holds nothing while files are joined.
      const f = await finalize(config, join(root, row.dir));
      const action = status === 'ready' ? 'recording.stop' : 'recording.recovered';
      return await updateAudited(recordingId, { status, size: f.size, sha256: f.sha256, durationMs: f.durationMs }, event(actor, action, row.meetingId, { recordingId, sha256: f.sha256, size: f.size, durationMs: f.durationMs, segments: f.segments, ...details }, ip));
    } catch (err) {
      log.error({ err, recordingId }, 'recording could not be finalised');
      return updateAudited(recordingId, { status: 'failed' }, event(actor, 'recording.failed', row.meetingId, { recordingId, error: (err as Error).message.slice(0, 300), ...details }, ip));
    }
  }

  /** A new agenda item while recording: a new chapter. */
  function onAgenda(meetingId: number, agenda: AgendaView): void {
    const a = active.get(meetingId);
    if (!a || a.stopping || agenda.currentItemId === a.currentItemId) return;
    a.currentItemId = agenda.currentItemId;
    const item = agenda.items.find((i) => i.id === agenda.currentItemId);
    if (!item) return;
    a.chapters.push({ itemId: item.id, title: item.title, offsetMs: Math.max(0, now() - a.startedAt) });
    // Kept for recovery after a crash; stop() writes the final list anyway.
    const chapters = [...a.chapters];
    a.chaptersSaved = a.chaptersSaved
      .then(() => update(a.recordingId, { chapters }))
      .then(
        () => {},
        (err: unknown) => log.error({ err, recordingId: a.recordingId }, 'recording chapters could not be saved'),
      );
  }

  /** Stops an encoder a crashed server left running (only if it is ours: its command line names the recording's directory). */
  async function stopOrphan(pid: number, dir: string): Promise<void> {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return;
    }
    if (!cmd.includes(dir)) return;
    const gone = () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    const exited = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (gone()) return true;
      return gone();
    };
    // Nothing feeds it any more, so the second signal is what ends it; a short grace keeps start-up
    // within the server's ready timeout.
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(pid, sig);
      } catch {
        // It exited in the meantime.
      }
    };
    await stopEncoder(signal, exited, ORPHAN_GRACE_MS);
  }

  /** At start: recordings a crashed server left unfinished are closed from their finished segments. */
  async function recover(): Promise<number> {
    const rows = await database.run(repo.unfinished);
    for (const row of rows) {
      if (row.pid) await stopOrphan(row.pid, join(root, row.dir));
      const stopped = await update(row.id, { stoppedAt: row.stoppedAt ?? now(), stopReason: row.stopReason ?? 'server_restarted', pid: null });
      await seal(stopped, 'interrupted', null, { reason: 'server_restarted' });
    }
    return rows.length;
  }

  /** Deletes recordings older than the retention period (audited); returns how many. */
  async function sweepRetention(): Promise<number> {
    const before = now() - config.retentionDays * 24 * 3600 * 1000;
    const rows = await database.run((s) => repo.expired(s, before));
    let deleted = 0;
    for (const row of rows) {
      // Claimed first, with its audit entry: of two nodes sweeping at once, one deletes and audits.
      const claimed = await database.tx(async (s) => {
        if (!(await repo.claimExpired(s, row.id, now()))) return false;
        await appendAudit(s, event(null, 'recording.deleted', row.meetingId, { recordingId: row.id, reason: 'retention', retentionDays: config.retentionDays, sha256: row.sha256 }));
        return true;
      });
      if (!claimed) continue;
      rmSync(join(root, row.dir), { recursive: true, force: true });
      deleted++;
    }
    return deleted;
  }

  /** Stops every recording (server shutdown): each keeps what it recorded. */
  async function close(): Promise<void> {
    await Promise.allSettled([...active.keys()].map((id) => stop(id, null, 'server_stopping')));
  }

  return { state, start, stop, onAgenda, recover, sweepRetention, close, fileOf: (row: repo.RecordingRow) => join(root, row.dir), counters: (meetingId: number) => active.get(meetingId)?.tap.counters() ?? [] };
}

