/**
 * What one recording of the main stage costs, next to what forwarding costs.
 *
 * A live meeting with two bridge points sending real VP8 + Opus (ffmpeg test
 * sources, scripts/lib/ffmpeg-bridge.ts). Baseline: the stage forwarded to
 * VIEWERS plain-RTP viewers, measured as the mediasoup worker's CPU. Then a
 * recording runs on top: the worker's extra CPU (the recorder's consumers),
 * the encoder process (ffmpeg: video copied, mics mixed and encoded to Opus)
 * and the server process's extra CPU (the RTP relays). Prints each in % of one
 * core, and the recording's cost as a ratio of forwarding the stage to one viewer.
 *
 *   pnpm bench:recording [viewers=20] [seconds=8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { DEMO_PASSWORDS } from '../server/src/db/seed-data.ts';
import { ensureDebianPackages } from './lib/ensure-debian.mjs';
import { printRatio, type Leg } from './lib/bench-ratio.ts';
import { ffmpegBridge } from './lib/ffmpeg-bridge.ts';
import { blackhole } from './lib/sfu-load.ts';
import { measureCpu } from './lib/sfu-measure.ts';

const VIEWERS = Number(process.argv[2] ?? 20);
const SECONDS = Number(process.argv[3] ?? 8);
if (!ensureDebianPackages({ ffmpeg: '/usr/bin/ffmpeg' }, 'bench-recording')) process.exit(1);

const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-rec-'));
const base = loadConfig({}, { dataDir });
const app = await buildApp(
  loadConfig({}, { dataDir, logLevel: 'silent', seedReportHistory: false, webDistDir: join(dataDir, 'no-web'), mediasoup: { ...base.mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1 } }),
  { logger: false },
);
const sql = app.db.$client;
const meetingId = (sql.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
const token = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'vanphong', password: DEMO_PASSWORDS.secretariat } })).json().token as string;
const headers = { authorization: `Bearer ${token}` };
await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/transition`, headers, payload: { to: 'live' } });
const media = await app.media.service();
const chairId = (sql.prepare("SELECT id FROM users WHERE username = 'vanphong'").get() as { id: number }).id;
await media.getCapabilities(meetingId, 'chair', { userId: chairId, role: 'secretariat', bridgePointId: null, label: 'chair', chair: true });
const bp = (name: string) => (sql.prepare('SELECT b.id FROM bridge_points b JOIN users u ON u.id = b.operator_user_id WHERE u.username = ?').get(name) as { id: number }).id;
const bridges = [await ffmpegBridge(media, meetingId, bp('cau.tinh1'), 440, 600), await ffmpegBridge(media, meetingId, bp('cau.tinh2'), 660, 600)];
media.setStage(meetingId, 'chair', { type: 'bridge', bridgePointId: bridges[0]!.bridgePointId });

// Viewers: plain consumers of the stage's video and audio, sent to one socket nobody reads (in a
// stopped child process, so receiving them costs this process nothing). It outlives both windows.
const sink = await blackhole((2 * SECONDS + 120) * 1000);
const room = media.room(meetingId)!;
const viewerLeg: Leg = { label: `stage forwarded to ${VIEWERS} viewers`, attempted: VIEWERS, succeeded: 0 };
for (let i = 0; i < VIEWERS; i++) {
  try {
    const peer = room.addPeer(`viewer-${i}`, { userId: chairId, role: 'observer', bridgePointId: null, label: `viewer ${i}`, chair: false });
    peer.rtpCapabilities = room.rtpCapabilities;
    const tr = await room.createPlainTransport(peer, 'recv', { comedia: false });
    await tr.connect({ ip: '127.0.0.1', port: sink.port });
    for (const producerId of [bridges[0]!.videoProducerId, bridges[0]!.audioProducerId]) await room.consume(peer, { transportId: tr.id, producerId, paused: false });
    viewerLeg.succeeded++;
  } catch (err) {
    viewerLeg.firstError ??= (err as Error).message;
  }
}
const workerPid = media.pool.workers[0]!.pid;
await new Promise((r) => setTimeout(r, 3000));
const [forwarding, nodeBase] = (await measureCpu([workerPid, process.pid], SECONDS * 1000)) as [number, number];

const recLeg: Leg = { label: 'one recording', attempted: 1, succeeded: 0 };
let encoder = 0;
let workerRec = 0;
let nodeRec = 0;
const started = await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/recording/start`, headers });
if (started.statusCode === 200) {
  await new Promise((r) => setTimeout(r, 2000));
  const pid = (sql.prepare("SELECT pid FROM recordings WHERE status = 'recording'").get() as { pid: number }).pid;
  [workerRec, encoder, nodeRec] = (await measureCpu([workerPid, pid, process.pid], SECONDS * 1000)) as [number, number, number];
  const stopped = await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/recording/stop`, headers });
  if (stopped.statusCode === 200 && stopped.json().status === 'ready') recLeg.succeeded = 1;
  else recLeg.firstError = stopped.body;
} else recLeg.firstError = started.body;

const perViewer = forwarding / Math.max(1, VIEWERS);
const recording = Math.max(0, workerRec - forwarding) + encoder + Math.max(0, nodeRec - nodeBase);
const f = (n: number) => n.toFixed(1);
console.log(`bench-recording: ${VIEWERS} viewers of a VP8 + Opus stage, ${SECONDS} s windows (% of one core)`);
console.log(`  forwarding: worker ${f(forwarding)} % for ${VIEWERS} viewers = ${perViewer.toFixed(2)} % per viewer`);
console.log(`  recording: worker +${f(Math.max(0, workerRec - forwarding))} %, ffmpeg ${f(encoder)} %, server relays +${f(Math.max(0, nodeRec - nodeBase))} % = ${f(recording)} %`);
printRatio('bench-recording', 'one recording / forwarding the stage to one viewer (CPU)', { baseline: viewerLeg, subject: recLeg }, recording / perViewer, 1);

for (const b of bridges) b.close();
sink.child.kill('SIGKILL');
await app.close();
rmSync(dataDir, { recursive: true, force: true });
