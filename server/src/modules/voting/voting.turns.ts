/**
 * Runs one meeting's lifecycle commands (open, close, hall count, takeover...) one after another
 * on this node, as the synchronous service did by construction: two polls opened at once cannot
 * both pass the one-open-poll check, and a command never sees the mirror half rebuilt
 * (voting.service.ts).
 */
import { Mutex } from 'async-mutex';

export class MeetingTurns {
  /** The tail of each meeting's lifecycle commands on this node. */
  readonly #turns = new Map<number, Mutex>();

  /** Runs `fn` once the meeting's commands before it have ended. */
  run<T>(meetingId: number, fn: () => Promise<T>): Promise<T> {
    let turn = this.#turns.get(meetingId);
    if (!turn) this.#turns.set(meetingId, (turn = new Mutex()));
    const mine = turn;
    // Forgotten once nobody holds or waits for it: meetings come and go.
    return mine.runExclusive(fn).finally(() => {
      if (!mine.isLocked() && this.#turns.get(meetingId) === mine) this.#turns.delete(meetingId);
    });
  }

  /** Settles once the meeting's commands running or queued now have ended; undefined when none is. */
  idle(meetingId: number): Promise<void> | undefined {
    return this.#turns.get(meetingId)?.waitForUnlock();
  }
}
