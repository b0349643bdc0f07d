/** Commands and broadcasts every realtime feature relies on: joining a meeting room. */
import Type from 'typebox';
import { command } from './define.ts';

export const sessionCommands = {
  /** Join a meeting's room. The ack carries the full snapshot; deltas follow. */
  'meeting:join': command(
    Type.Object({ meetingId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    // The snapshot shape is owned by the conference feature (see conference.ts).
    Type.Unknown(),
  ),
  'meeting:leave': command(Type.Object({}, { additionalProperties: false }), Type.Object({})),
};

export const sessionBroadcasts = {
  /** Sent to a socket that must reload its state (e.g. after a server-side reset). */
  'session:resync': Type.Object({ reason: Type.String() }),
};
