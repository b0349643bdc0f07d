import { describe, expect, it } from 'vitest';
import { MEETING_STATUSES, MEETING_TRANSITIONS, canTransitionMeeting } from '@diemcau/shared';

describe('meeting status transitions', () => {
  it('follows draft → scheduled → live → ended → archived', () => {
    expect(canTransitionMeeting('draft', 'scheduled')).toBe(true);
    expect(canTransitionMeeting('scheduled', 'live')).toBe(true);
    expect(canTransitionMeeting('live', 'ended')).toBe(true);
    expect(canTransitionMeeting('ended', 'archived')).toBe(true);
    expect(canTransitionMeeting('scheduled', 'draft')).toBe(true);
  });

  it('rejects every other move, including staying put', () => {
    const legal = new Set(['draft>scheduled', 'scheduled>draft', 'scheduled>live', 'live>ended', 'ended>archived']);
    for (const from of MEETING_STATUSES) {
      for (const to of MEETING_STATUSES) {
        expect(canTransitionMeeting(from, to), `${from}>${to}`).toBe(legal.has(`${from}>${to}`));
      }
    }
    expect(MEETING_TRANSITIONS.archived).toEqual([]);
  });
});
