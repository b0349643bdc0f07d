/**
 * The options and wire types of ConferenceMedia (conference-media.ts), kept apart
 * so the session itself stays readable. Importers may keep importing them from
 * conference-media.ts, which re-exports them.
 */
import type { BroadcastName, Broadcasts, CommandName, CommandRequest, CommandResult, Commands } from '@diemcau/shared';
import type { Static } from 'typebox';

export type RequestFn = <K extends CommandName>(name: K, payload: CommandRequest<Commands, K>) => Promise<CommandResult<Commands, K>>;
export type OnFn = <E extends BroadcastName>(event: E, fn: (payload: Static<Broadcasts[E]>) => void) => () => void;

export interface ConferenceMediaOptions {
  request: RequestFn;
  on: OnFn;
  /** What to publish; a bridge sends camera (3 simulcast layers) and mic. */
  publish?: { video: boolean; audio: boolean };
  /** Override for tests. */
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
  /** Called after the session rebuilt itself following a server-side room reset. */
  onRejoined?: () => void;
  /**
   * Resolve `join` as soon as receiving works and publish alongside (see
   * `published`): a bridge screen then shows the main stage while its own
   * camera and mic are still opening, instead of after. Off by default, as
   * callers reading `producerIds` right after `join` expect them set.
   */
  publishInBackground?: boolean;
  /**
   * With `publishInBackground`: the camera and mic are opened at once, but sending
   * starts only when this settles (the view has its stage consumer), so the first
   * stage frame does not compete with setting up our own encoder and transport.
   */
  publishAfter?: Promise<unknown>;
}

/** Same layers as server/src/modules/media/codecs.ts SIMULCAST_LAYERS. */
export const SIMULCAST_ENCODINGS = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];
