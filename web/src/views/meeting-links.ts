import type { Role } from '@diemcau/shared';

/** The live view each role uses for a meeting. */
export function liveViewFor(role: Role, meetingId: number): string {
  switch (role) {
    case 'secretariat':
    case 'admin':
      return `/meetings/${meetingId}/console`;
    case 'bridge_operator':
    case 'observer':
      return `/meetings/${meetingId}/bridge`;
    default:
      return `/meetings/${meetingId}/delegate`;
  }
}

/** `datetime-local` value (local time, minutes) ⇄ ISO string. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}
export function fromLocalInput(v: string): string {
  return new Date(v).toISOString();
}
