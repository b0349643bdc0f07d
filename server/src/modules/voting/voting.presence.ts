/**
 * Adapter to the conference room's presence (issue 3): who is invited and who
 * of them is present, online or in person. The conference service aligns its
 * presence with the current invitations and persists every change before it
 * acks, so what it reports here is what every screen shows. This is the one
 * place to change if the conference module's API changes.
 */
import type { ConferenceState } from '../conference/conference.machine.ts';
import type { EligibleVoter } from './voting.result.ts';

/** Name used for delegates voting from their own device, not at a bridge point. */
export const OWN_DEVICE_PLACE = 'Thiết bị cá nhân';

export interface Attendance {
  /** Every invited delegate, with the place they count under. */
  invited: EligibleVoter[];
  /** User ids of invited delegates marked present (online or in person). */
  present: Set<number>;
}

export type AttendanceSource = (meetingId: number) => Promise<Attendance>;

/** Builds attendance from the conference state of a meeting (see app.conference.state). */
export function attendanceFrom(readState: (meetingId: number) => Promise<ConferenceState>): AttendanceSource {
  return async (meetingId) => {
    const { presence } = await readState(meetingId);
    const names = new Map(presence.bridges.map((b) => [b.bridgePointId, b.name]));
    const delegates = presence.delegates.toArray();
    const invited = delegates.map(
      (d): EligibleVoter => ({
        userId: d.userId,
        bridgePointId: d.bridgePointId,
        bridgeName: d.bridgePointId === null ? OWN_DEVICE_PLACE : (names.get(d.bridgePointId) ?? `Điểm cầu #${d.bridgePointId}`),
        level: d.level,
      }),
    );
    const present = new Set(
      delegates.filter((d) => d.status === 'present_online' || d.status === 'present_in_person').map((d) => d.userId),
    );
    return { invited, present };
  };
}
