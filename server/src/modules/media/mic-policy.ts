/**
 * Who may be heard. Pure state machine: the media service keeps one MicState
 * per source (a bridge point or a user) and pauses/resumes the mic producer
 * to match `micLive()`.
 *
 * - A gated source (bridge or delegate) is silent until the floor is granted
 *   or the chair opens its mic.
 * - The chair's mute wins over the floor until the floor is granted again.
 * - Revoking the floor or "mute all" closes the mic again.
 * - A source may mute itself at any time but may only unmute when allowed.
 */

/** The chair's override: none, explicitly opened, explicitly muted. */
export type ChairGate = 'default' | 'open' | 'muted';

export interface MicState {
  /** Whether the conference floor rules currently give this source the floor. */
  floor: boolean;
  gate: ChairGate;
  selfMuted: boolean;
}

export type MicEvent =
  | { type: 'floor'; granted: boolean }
  | { type: 'chair'; muted: boolean }
  | { type: 'mute-all' }
  | { type: 'self'; muted: boolean };

export type MicResult = { ok: true; state: MicState } | { ok: false; reason: 'NOT_ALLOWED'; state: MicState };

export const initialMic = (): MicState => ({ floor: false, gate: 'default', selfMuted: false });

/** The floor or the chair lets this source speak. */
export function micAllowed(s: MicState): boolean {
  return s.gate === 'open' || (s.gate === 'default' && s.floor);
}

/** The producer should be flowing. */
export function micLive(s: MicState): boolean {
  return micAllowed(s) && !s.selfMuted;
}

export function applyMic(s: MicState, e: MicEvent): MicResult {
  switch (e.type) {
    case 'floor':
      // Granting is a chair decision, so it clears an earlier chair mute;
      // revoking also clears an explicit "open" so the mic really closes.
      return { ok: true, state: { ...s, floor: e.granted, gate: 'default', selfMuted: e.granted ? false : s.selfMuted } };
    case 'chair':
      return { ok: true, state: { ...s, gate: e.muted ? 'muted' : 'open', selfMuted: e.muted ? s.selfMuted : false } };
    case 'mute-all':
      return { ok: true, state: { ...s, gate: 'muted' } };
    case 'self':
      if (e.muted) return { ok: true, state: { ...s, selfMuted: true } };
      if (!micAllowed(s)) return { ok: false, reason: 'NOT_ALLOWED', state: s };
      return { ok: true, state: { ...s, selfMuted: false } };
  }
}
