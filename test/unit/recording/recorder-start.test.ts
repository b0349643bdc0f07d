/**
 * Recorder.start finds free UDP ports, releases them and starts ffmpeg on them: another process may
 * take one in between (two test runs on one machine did). An ffmpeg that exits before holding its
 * ports is started again on fresh ones. A stand-in ffmpeg (a Node script) fails its first N starts,
 * then binds the SDP's ports as ffmpeg would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder } from '../../../server/src/modules/recording/recorder.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake ffmpeg that exits 1 on its first `failures` starts (counted in a file), then holds the SDP's ports until signalled. */
function fakeFfmpeg(failures: number): { bin: string; starts: () => number; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-recorder-start-'));
  dirs.push(dir);
  const count = join(dir, 'starts');
  writeFileSync(count, '0');
  const bin = join(dir, 'ffmpeg');
  writeFileSync(
    bin,
    `#!${process.execPath}
const fs = require('node:fs');
const dgram = require('node:dgram');
const n = Number(fs.readFileSync(${JSON.stringify(count)}, 'utf8')) + 1;
fs.writeFileSync(${JSON.stringify(count)}, String(n));
if (n <= ${failures}) { process.stderr.write('bind failed: Address already in use\\n'); process.exit(1); }
const sdp = fs.readFileSync(process.argv[process.argv.indexOf('-i') + 1], 'utf8');
for (const [, port] of sdp.matchAll(/^m=\\w+ (\\d+) /gm)) dgram.createSocket('udp4').bind(Number(port), '127.0.0.1');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
setInterval(() => {}, 1000);
`,
  );
  chmodSync(bin, 0o755);
  return { bin, dir, starts: () => Number(readFileSync(count, 'utf8')) };
}

const warnings: object[] = [];
const options = (bin: string, dir: string) => ({
  ffmpegBin: bin,
  dir,
  segmentSeconds: 5,
  audioSlots: 2,
  log: { warn: (o: object) => void warnings.push(o), info: () => {} },
});

describe('Recorder.start', () => {
  it('starts ffmpeg again on other ports when it exits before holding them', async () => {
    const f = fakeFfmpeg(2);
    const rec = await Recorder.start(options(f.bin, f.dir));
    try {
      expect(f.starts()).toBe(3);
      expect(warnings.length).toBeGreaterThanOrEqual(2);
      const ports = [rec.ports.video, ...rec.ports.audio];
      expect(new Set(ports).size).toBe(3);
      // The SDP written last names the ports the recorder reports.
      const sdp = readFileSync(join(f.dir, 'stage.sdp'), 'utf8');
      for (const p of ports) expect(sdp).toContain(` ${p} `);
    } finally {
      rec.kill();
    }
  });

  it('gives up with a typed error after three starts that all failed', async () => {
    const f = fakeFfmpeg(10);
    const err = await Recorder.start(options(f.bin, f.dir)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MEDIA_ERROR', status: 503 });
    expect(String((err as Error).message)).toContain('Address already in use');
    expect(f.starts()).toBe(3);
  });
});
