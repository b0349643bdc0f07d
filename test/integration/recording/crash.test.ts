/**
 * A recording survives kill -9 of the server: every segment finished before
 * the crash is a playable file with video and audio, and the restarted
 * server stops the orphaned encoder, joins the segments, hashes the file
 * into the audit chain and marks the recording interrupted.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { dbFile, openDb } from '../../../server/src/db/index.ts';
import { sha256File } from '../../../server/src/modules/recording/finalize.ts';
import { alive } from '../../helpers/process.ts';
import { ffprobe, until } from './support.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-rec-crash-'));
const killIfAlive = (pid: number | undefined) => {
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
};
let t: TestApp | null = null;
let senderPid: number | undefined;
let encoderPid: number | undefined;

afterAll(async () => {
  killIfAlive(senderPid);
  killIfAlive(encoderPid);
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('recording and kill -9', () => {
  it('keeps every finished segment playable and closes the recording at the next start', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(import.meta.dirname, 'fixtures', 'recording-server.ts')], {
      cwd: root,
      env: { ...process.env, RECORDING_TEST_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => (out += `\n{"exited":${code}}\n`));
    const line = await until(() => out, (o) => o.includes('\n'), 'the recording server to start', 150_000);
    const started = JSON.parse(line.split('\n')[0]!) as { status: number; body: { recordingId: number }; senderPid: number };
    senderPid = started.senderPid;
    expect(started.status, JSON.stringify(started.body)).toBe(200);

    const recordings = join(dataDir, 'recordings');
    const dir = join(recordings, readdirSync(recordings)[0]!);
    const listed = () => (existsSync(join(dir, 'segments.csv')) ? readFileSync(join(dir, 'segments.csv'), 'utf8').trim().split('\n').filter(Boolean) : []);
    await until(listed, (l) => l.length >= 3, 'three finished segments', 90_000);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    killIfAlive(senderPid);
    const db = openDb(dbFile(dataDir));
    const row = db.$client.prepare('SELECT id, status, pid FROM recordings').get() as { id: number; status: string; pid: number };
    db.$client.close();
    expect(row.status).toBe('recording');
    encoderPid = row.pid;

    // Every segment the encoder finished before the crash plays on its own.
    const finished = listed().map((l) => l.split(',')[0]!);
    expect(finished.length).toBeGreaterThanOrEqual(3);
    let total = 0;
    for (const seg of finished) {
      const path = join(dir, seg);
      const p = await ffprobe(path);
      expect(p.streams).toEqual(['audio', 'video']);
      expect(p.durationS).toBeGreaterThan(0);
      total += p.durationS;
      // Playable: it decodes from start to end without an error.
      await run('/usr/bin/ffmpeg', ['-v', 'error', '-xerror', '-i', path, '-f', 'null', '-']);
    }
    // Cut at keyframes about every 2 s: together the finished segments hold that much media.
    expect(total).toBeGreaterThan((finished.length - 1) * 2 - 1);

    // The next start stops the orphaned encoder and closes the recording from its segments.
    t = await buildTestApp({ dataDir, config: { mediasoup: { ...loadConfig().mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1, rtcMinPort: 46000, rtcMaxPort: 46999 } } });
    expect(alive(encoderPid)).toBe(false);
    const after = t.app.db.$client.prepare('SELECT status, sha256, duration_ms, stop_reason FROM recordings WHERE id = ?').get(row.id) as { status: string; sha256: string; duration_ms: number; stop_reason: string };
    expect(after).toMatchObject({ status: 'interrupted', stop_reason: 'server_restarted' });
    const file = join(dir, 'recording.webm');
    expect(after.sha256).toBe(await sha256File(file));
    const p = await ffprobe(file);
    expect(p.streams).toEqual(['audio', 'video']);
    expect(p.durationS).toBeGreaterThanOrEqual(total - 0.5);
    const audit = t.app.db.$client.prepare("SELECT details FROM audit_log WHERE action = 'recording.recovered'").get() as { details: string };
    expect(JSON.parse(audit.details).sha256).toBe(after.sha256);
  }, 300_000);
});
