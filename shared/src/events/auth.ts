/** Account commands over Socket.IO: unlocking voting in a QR session with the delegate's PIN. */
import Type from 'typebox';
import { VotePin } from '../api.ts';
import { command } from './define.ts';

export const authCommands = {
  /**
   * Enters the delegate's voting PIN in this (QR) session; sets it when the delegate has none yet.
   * Acks whether the PIN was newly set. Wrong PINs answer PIN_INVALID, then RATE_LIMITED.
   */
  'pin:enter': command(Type.Object({ pin: VotePin }, { additionalProperties: false }), Type.Object({ unlocked: Type.Literal(true) })),
  /** Whether this session must enter a PIN before voting, and whether the delegate has one. */
  'pin:status': command(Type.Object({}, { additionalProperties: false }), Type.Object({ required: Type.Boolean(), pinSet: Type.Boolean() })),
};
