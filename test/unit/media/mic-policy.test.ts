import { describe, expect, it } from 'vitest';
import { applyMic, initialMic, micAllowed, micLive, type MicEvent, type MicState } from '../../../server/src/modules/media/mic-policy.ts';

const run = (...events: MicEvent[]): MicState =>
  events.reduce((s, e) => {
    const r = applyMic(s, e);
    return r.state;
  }, initialMic());

describe('mic policy', () => {
  it('starts closed', () => {
    expect(micLive(initialMic())).toBe(false);
  });

  it('the floor opens and revoking closes', () => {
    expect(micLive(run({ type: 'floor', granted: true }))).toBe(true);
    expect(micLive(run({ type: 'floor', granted: true }, { type: 'floor', granted: false }))).toBe(false);
  });

  it('the chair can open without the floor, and revoking the floor closes an opened mic too', () => {
    expect(micLive(run({ type: 'chair', muted: false }))).toBe(true);
    expect(micLive(run({ type: 'chair', muted: false }, { type: 'floor', granted: false }))).toBe(false);
  });

  it('a chair mute beats the floor until the floor is granted again', () => {
    const muted = run({ type: 'floor', granted: true }, { type: 'chair', muted: true });
    expect(micLive(muted)).toBe(false);
    expect(micAllowed(muted)).toBe(false);
    expect(micLive(applyMic(muted, { type: 'floor', granted: true }).state)).toBe(true);
  });

  it('mute-all closes every mic, even one holding the floor', () => {
    expect(micLive(run({ type: 'floor', granted: true }, { type: 'mute-all' }))).toBe(false);
    expect(micLive(run({ type: 'chair', muted: false }, { type: 'mute-all' }))).toBe(false);
  });

  it('a source may always mute itself but may unmute only when allowed', () => {
    const self = run({ type: 'floor', granted: true }, { type: 'self', muted: true });
    expect(micLive(self)).toBe(false);
    expect(micLive(applyMic(self, { type: 'self', muted: false }).state)).toBe(true);

    const chairMuted = run({ type: 'chair', muted: true });
    const r = applyMic(chairMuted, { type: 'self', muted: false });
    expect(r.ok).toBe(false);
    expect(r.state).toBe(chairMuted);
    expect(applyMic(initialMic(), { type: 'self', muted: false }).ok).toBe(false);
  });

  it('granting the floor clears an earlier self mute so the speaker is heard', () => {
    expect(micLive(run({ type: 'self', muted: true }, { type: 'floor', granted: true }))).toBe(true);
  });
});
