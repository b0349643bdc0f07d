/**
 * The recording module on the async data layer, on the engine of this run (SQLite in the main
 * suite, PostgreSQL in the second pass): policies upsert, recording rows and their JSON chapters
 * read back, crash recovery and the retention sweep change each row and audit it in one
 * transaction. (test/integration/recording covers recording itself through the app.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/src/db/database.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { noopLogger } from '../../../server/src/modules/media/logger.ts';
import * as repo from '../../../server/src/modules/recording/recording.repo.ts';
import { createRecordingService } from '../../../server/src/modules/recording/recording.service.ts';
import { openTestDatabase, pgUrl, type TestDatabase } from '../../helpers/database.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2030-05-20T01:30:00.000Z');

let tdb: TestDatabase;
let db: Database;
let root: string;
let meetingId = 0;
let userId = 0;

const audits = (action: string) =>
  db.run(async ({ q, t }) => q.select().from(t.auditLog).where(eq(t.auditLog.action, action)).orderBy(asc(t.auditLog.seq)));

beforeAll(async () => {
  tdb = await openTestDatabase();
  db = tdb.database;
  root = mkdtempSync(join(tmpdir(), 'diemcau-rec-store-'));
  await db.tx(async ({ q, t }) => {
    const [prov] = await q.insert(t.units).values({ level: 'province', code: 'SH', name: 'Tỉnh Sơn Hà' }).returning();
    const [u] = await q.insert(t.users).values({ username: 'vp', passwordHash: 'x', fullName: 'Văn phòng', role: 'secretariat', unitId: prov!.id }).returning();
    const [m] = await q
      .insert(t.meetings)
      .values({ title: 'Họp', kind: 'conference', startsAt: '2030-05-20T01:00:00.000Z', endsAt: '2030-05-20T05:00:00.000Z', chairUnitId: prov!.id })
      .returning();
    userId = u!.id;
    meetingId = m!.id;
  });
});
afterAll(async () => {
  await tdb?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe(`recording rows on ${pgUrl() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('upserts a policy and reads the default for a meeting without one', async () => {
    expect(await db.run((s) => repo.policyOf(s, meetingId))).toEqual({ classification: repo.DEFAULT_CLASSIFICATION, allowConfidential: false });
    await db.run((s) => repo.setPolicy(s, meetingId, { classification: 'confidential', allowConfidential: false }, userId, NOW));
    await db.run((s) => repo.setPolicy(s, meetingId, { classification: 'confidential', allowConfidential: true }, userId, NOW + 1));
    expect(await db.run((s) => repo.policyOf(s, meetingId))).toEqual({ classification: 'confidential', allowConfidential: true });
  });

  it('reads recordings back with their chapters, and finds the unfinished and the expired', async () => {
    const chapters = [{ itemId: 7, title: 'Khai mạc', offsetMs: 0 }];
    const insert = (dir: string, startedAt: number) => db.run((s) => repo.insertRecording(s, { meetingId, classification: 'restricted', dir, startedBy: userId, startedAt, chapters }));
    const later = await insert('b', NOW - 10 * DAY);
    const early = await insert('a', NOW - 40 * DAY);
    expect(later).toMatchObject({ status: 'recording', chapters, pid: null });
    await expect(db.run((s) => repo.getRecording(s, 999_999))).rejects.toMatchObject({ status: 404 });

    const done = await db.run((s) => repo.updateRecording(s, early.id, { status: 'ready', stoppedAt: NOW - 40 * DAY + 1000, chapters: [...chapters, { itemId: 8, title: 'Thảo luận', offsetMs: 500 }] }));
    expect(done.chapters).toHaveLength(2);
    expect((await db.run((s) => repo.listForMeeting(s, meetingId))).map((r) => r.id)).toEqual([early.id, later.id]);
    expect((await db.run(repo.unfinished)).map((r) => r.id)).toEqual([later.id]);
    expect((await db.run((s) => repo.expired(s, NOW - 30 * DAY))).map((r) => r.id)).toEqual([early.id]);
    await db.run((s) => repo.logView(s, { recordingId: early.id, userId, at: NOW, ip: null, mode: 'stream' }));
  });

  it('closes an unfinished recording at start and deletes expired ones, each change audited with it', async () => {
    const config = { ...loadConfig().recording, ffmpegBin: '/bin/false', ffprobeBin: '/bin/false', retentionDays: 30 };
    const svc = createRecordingService({ database: db, config, root, media: () => Promise.reject(new Error('no media here')), announce: () => {}, log: noopLogger, now: () => NOW });
    // Its directory holds no segment, so there is nothing to join: the recording fails, audited.
    expect(await svc.recover()).toBe(1);
    const [failed] = await db.run((s) => repo.listForMeeting(s, meetingId)).then((rows) => rows.filter((r) => r.status === 'failed'));
    expect(failed).toMatchObject({ stopReason: 'server_restarted', stoppedAt: NOW, pid: null });
    expect((await audits('recording.failed')).map((a) => a.details)).toEqual([expect.objectContaining({ recordingId: failed!.id, reason: 'server_restarted' })]);

    // Two nodes' hourly sweeps at the same moment: one deletes and audits each recording.
    const other = createRecordingService({ database: db, config, root, media: () => Promise.reject(new Error('no media here')), announce: () => {}, log: noopLogger, now: () => NOW });
    expect((await Promise.all([svc.sweepRetention(), other.sweepRetention()])).sort()).toEqual([0, 1]);
    const deleted = (await db.run((s) => repo.listForMeeting(s, meetingId))).filter((r) => r.status === 'deleted');
    expect(deleted.map((r) => r.deletedAt)).toEqual([NOW]);
    expect(await audits('recording.deleted')).toHaveLength(1);
  });
});
