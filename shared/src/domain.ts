/** Roles a user account can hold. */
export const Role = {
  admin: 'admin',
  secretariat: 'secretariat',
  bridge_operator: 'bridge_operator',
  delegate: 'delegate',
  observer: 'observer',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES = ['admin', 'secretariat', 'bridge_operator', 'delegate', 'observer'] as const satisfies readonly Role[];

/** Administrative level of a unit and of the bridge point it hosts. */
export const Level = { province: 'province', district: 'district', commune: 'commune' } as const;
export type Level = (typeof Level)[keyof typeof Level];
export const LEVELS = ['province', 'district', 'commune'] as const satisfies readonly Level[];

/** Bridge point tier; the same three tiers as units, named as the secretariat says them. */
export const BridgeLevel = { provincial: 'provincial', district: 'district', commune: 'commune' } as const;
export type BridgeLevel = (typeof BridgeLevel)[keyof typeof BridgeLevel];
export const BRIDGE_LEVELS = ['provincial', 'district', 'commune'] as const satisfies readonly BridgeLevel[];

export const MeetingStatus = {
  draft: 'draft',
  scheduled: 'scheduled',
  live: 'live',
  ended: 'ended',
  archived: 'archived',
} as const;
export type MeetingStatus = (typeof MeetingStatus)[keyof typeof MeetingStatus];
export const MEETING_STATUSES = ['draft', 'scheduled', 'live', 'ended', 'archived'] as const satisfies readonly MeetingStatus[];

/**
 * Legal meeting status moves. A scheduled meeting may go back to draft (the
 * secretariat pulled it); nothing else moves backwards, because an ended
 * meeting's record must stay as it was held.
 */
export const MEETING_TRANSITIONS: Readonly<Record<MeetingStatus, readonly MeetingStatus[]>> = {
  draft: ['scheduled'],
  scheduled: ['draft', 'live'],
  live: ['ended'],
  ended: ['archived'],
  archived: [],
};

export const canTransitionMeeting = (from: MeetingStatus, to: MeetingStatus): boolean =>
  MEETING_TRANSITIONS[from].includes(to);

/** Ended or archived: the meeting is part of the record and can no longer change. */
export const meetingOver = (s: MeetingStatus): boolean => s === 'ended' || s === 'archived';

export const MeetingKind = {
  conference: 'conference',
  standing_committee: 'standing_committee',
  executive_committee: 'executive_committee',
  council_session: 'council_session',
  briefing: 'briefing',
} as const;
export type MeetingKind = (typeof MeetingKind)[keyof typeof MeetingKind];
export const MEETING_KINDS = [
  'conference',
  'standing_committee',
  'executive_committee',
  'council_session',
  'briefing',
] as const satisfies readonly MeetingKind[];
