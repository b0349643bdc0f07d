/**
 * The recording's pure parts: who may play a recording, which microphones
 * fill the audio slots, and the RTP relay's re-pointing (continuous sequence
 * numbers and timestamps across a switch, video resuming on a keyframe).
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaSnapshot } from '@diemcau/shared';
import { mayRecord, recordingAccess } from '../../../server/src/modules/recording/recording.access.ts';
import { assignAudio, wantedAudio } from '../../../server/src/modules/recording/stage-tap.ts';
import { RtpRelay, isVp8Keyframe } from '../../../server/src/modules/recording/rtp-relay.ts';

describe('recording access', () => {
  const m = (kind: 'admin' | 'secretariat' | 'observer' | 'delegate' | 'bridge') =>
    kind === 'delegate' ? { kind, bridgePointId: null } : kind === 'bridge' ? { kind, bridgePointId: 3 } : { kind };
  it('confidential: streaming only, for password-signed-in participants', () => {
    expect(recordingAccess('confidential', { membership: m('secretariat'), qrSession: false })).toBe('stream');
    expect(recordingAccess('confidential', { membership: m('delegate'), qrSession: false })).toBe('stream');
    expect(recordingAccess('confidential', { membership: m('bridge'), qrSession: false })).toBe('stream');
    expect(recordingAccess('confidential', { membership: m('delegate'), qrSession: true })).toBe('none');
    expect(recordingAccess('confidential', { membership: m('observer'), qrSession: false })).toBe('none');
    expect(recordingAccess('confidential', { membership: null, qrSession: false })).toBe('none');
  });
  it('restricted: managers download, participants stream; public: every member downloads', () => {
    expect(recordingAccess('restricted', { membership: m('admin'), qrSession: false })).toBe('download');
    expect(recordingAccess('restricted', { membership: m('delegate'), qrSession: false })).toBe('stream');
    expect(recordingAccess('restricted', { membership: m('observer'), qrSession: false })).toBe('none');
    expect(recordingAccess('public_to_meeting', { membership: m('observer'), qrSession: false })).toBe('download');
    expect(recordingAccess('public_to_meeting', { membership: null, qrSession: false })).toBe('none');
  });
  it('a confidential meeting is recorded only with permission', () => {
    expect(mayRecord({ classification: 'confidential', allowConfidential: false })).toBe(false);
    expect(mayRecord({ classification: 'confidential', allowConfidential: true })).toBe(true);
    expect(mayRecord({ classification: 'restricted', allowConfidential: false })).toBe(true);
  });
});

describe('audio slots', () => {
  const snap = (stage: number | null, mics: [number, boolean][]): MediaSnapshot => ({
    stage: { source: stage ? { type: 'bridge', bridgePointId: stage } : null, videoProducerId: null, audioProducerId: null },
    activeSpeaker: { source: null, producerId: null, volume: null },
    producers: mics.map(([bp, paused]) => ({ producerId: `a${bp}`, kind: 'audio' as const, source: { type: 'bridge' as const, bridgePointId: bp }, label: '', paused })),
    mics: [],
    links: [],
  });
  it('wants the stage mic first, then the other live mics; paused mics are not wanted', () => {
    expect(wantedAudio(snap(2, [[1, false], [2, false], [3, true]]))).toEqual(['a2', 'a1']);
  });
  it('keeps mics in their slots, fills free ones, and replaces only what is no longer wanted', () => {
    expect(assignAudio([null, null], ['a2', 'a1'])).toEqual(['a2', 'a1']);
    // The stage moved to bridge 1: nobody changes slot.
    expect(assignAudio(['a2', 'a1'], ['a1', 'a2'])).toEqual(['a2', 'a1']);
    // A third mic opens with two slots: it takes the slot of the least wanted one.
    expect(assignAudio(['a2', 'a1'], ['a3', 'a2', 'a1'])).toEqual(['a2', 'a3']);
    // A mic closed (not wanted) stays in its slot while nobody needs it.
    expect(assignAudio(['a2', 'a1'], ['a2'])).toEqual(['a2', 'a1']);
  });
});

describe('RTP relay', () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((c) => c()));

  const vp8 = (key: boolean) => Buffer.from([0x90, 0x80, 0x81, 0x23, key ? 0x10 : 0x11, 0, 0]);
  const rtp = (ssrc: number, seq: number, ts: number, payload: Buffer, pt = 101) => {
    const b = Buffer.alloc(12 + payload.length);
    b[0] = 0x80;
    b[1] = pt;
    b.writeUInt16BE(seq, 2);
    b.writeUInt32BE(ts, 4);
    b.writeUInt32BE(ssrc, 8);
    payload.copy(b, 12);
    return b;
  };

  it('recognises VP8 keyframes', () => {
    expect(isVp8Keyframe(vp8(true))).toBe(true);
    expect(isVp8Keyframe(vp8(false))).toBe(false);
    // Not the start of a partition: never a keyframe start.
    expect(isVp8Keyframe(Buffer.from([0x80, 0x80, 0x81, 0x23, 0x10]))).toBe(false);
  });

  it('continues one stream across a switch, resuming video on a keyframe', async () => {
    const sink = createSocket('udp4');
    const got: { seq: number; ts: number; ssrc: number; pt: number }[] = [];
    sink.on('message', (m) => got.push({ seq: m.readUInt16BE(2), ts: m.readUInt32BE(4), ssrc: m.readUInt32BE(8), pt: m[1]! & 0x7f }));
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    closers.push(() => sink.close());
    let clock = 1000;
    const relay = await RtpRelay.create({ kind: 'video', payloadType: 96, clockRate: 90000, target: { host: '127.0.0.1', port: sink.address().port }, now: () => clock });
    closers.push(() => relay.close());
    const send = createSocket('udp4');
    closers.push(() => send.close());
    const out = (b: Buffer) => new Promise<void>((r) => send.send(b, relay.port, '127.0.0.1', () => r()));

    await out(rtp(111, 500, 9000, vp8(false))); // before any keyframe: dropped
    await out(rtp(111, 501, 12000, vp8(true)));
    await out(rtp(111, 502, 15000, vp8(false)));
    const until = async (n: number) => {
      const end = Date.now() + 5000;
      while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    };
    await until(2);
    relay.repoint();
    clock += 500; // half a second to the other camera's first keyframe
    await out(rtp(222, 40000, 777, vp8(false))); // not a keyframe yet: dropped
    await out(rtp(222, 40001, 3777, vp8(true)));
    await out(rtp(222, 40002, 6777, vp8(false)));
    await until(4);

    expect(got).toHaveLength(4);
    expect(new Set(got.map((g) => g.ssrc)).size).toBe(1);
    expect(got.every((g) => g.pt === 96)).toBe(true);
    for (let i = 1; i < got.length; i++) expect((got[i]!.seq - got[i - 1]!.seq) & 0xffff).toBe(1);
    // Within a stream the sender's spacing is kept; across the switch the wall-clock gap (0.5 s = 45000 ticks).
    expect((got[1]!.ts - got[0]!.ts) >>> 0).toBe(3000);
    expect((got[2]!.ts - got[1]!.ts) >>> 0).toBe(45000);
    expect((got[3]!.ts - got[2]!.ts) >>> 0).toBe(3000);
  });
});

describe('listen-only feed', () => {
  it('follows only the open microphones: no stage video, no grid', async () => {
    const { wantedStreams } = await import('../../../web/src/media/follow.ts');
    const media = {
      stage: { source: { type: 'bridge' as const, bridgePointId: 1 }, videoProducerId: 'v1', audioProducerId: 'a1' },
      producers: [
        { producerId: 'v1', kind: 'video' as const, source: { type: 'bridge' as const, bridgePointId: 1 }, label: '', paused: false },
        { producerId: 'a1', kind: 'audio' as const, source: { type: 'bridge' as const, bridgePointId: 1 }, label: '', paused: false },
        { producerId: 'a2', kind: 'audio' as const, source: { type: 'bridge' as const, bridgePointId: 2 }, label: '', paused: true },
      ],
    };
    expect([...wantedStreams(media, { audioOnly: true, grid: true }).keys()]).toEqual(['a1']);
    expect([...wantedStreams(media).keys()].sort()).toEqual(['a1', 'v1']);
  });
});
