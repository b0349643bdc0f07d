/**
 * A short two-tone chime made with Web Audio: no sound file to ship or load,
 * and it plays on a bridge PC with no internet. Returns false where audio is
 * unavailable (then the banner alone has to do).
 */
let ctx: AudioContext | null = null;

export function beep(): boolean {
  try {
    ctx ??= new AudioContext();
    // A context made before any click starts suspended; the bridge PC's browser is usually allowed to play.
    void ctx.resume().catch(() => {});
    const start = ctx.currentTime + 0.02;
    [880, 660].forEach((freq, i) => {
      const at = start + i * 0.35;
      const osc = ctx!.createOscillator();
      const gain = ctx!.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
      osc.connect(gain).connect(ctx!.destination);
      osc.start(at);
      osc.stop(at + 0.32);
    });
    return true;
  } catch {
    return false;
  }
}
