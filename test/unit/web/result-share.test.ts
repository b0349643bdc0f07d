// Results that add up (issue 15): shares are of the majority rule's base, and abstentions outside it get none.
import { describe, expect, it } from 'vitest';
import type { PollResult } from '../../../shared/src/index.ts';
import { shareOf } from '../../../web/src/live/result-share.ts';

const result = (majority: PollResult['majority'], base: number, baseKind?: PollResult['baseKind']): PollResult =>
  ({
    majority,
    base,
    ...(baseKind && { baseKind }),
    options: [
      { id: 'yes', label: 'Tán thành', votes: 6, carried: true },
      { id: 'no', label: 'Không tán thành', votes: 2, carried: false },
      { id: 'abstain', label: 'Không biểu quyết', votes: 2, carried: false },
    ],
  }) as PollResult;
const approval = { kind: 'approval' as const };
const sum = (shares: (string | null)[]) => shares.reduce((n, s) => n + (s ? Number(s.replace('%', '')) : 0), 0);

describe('result shares', () => {
  it('a simple majority: shares of the votes cast (yes + no) add up to 100%; abstentions have none', () => {
    const r = result('simple', 8, 'votes_cast');
    const shares = ['yes', 'no', 'abstain'].map((id) => shareOf(approval, r, id));
    expect(shares).toEqual(['75%', '25%', null]);
    expect(sum(shares)).toBe(100);
  });

  it('an absolute majority: shares of those present, abstentions included, never above 100%', () => {
    const r = result('absolute', 12, 'present');
    const shares = ['yes', 'no', 'abstain'].map((id) => shareOf(approval, r, id));
    expect(shares).toEqual(['50%', '16.7%', '16.7%']);
    expect(sum(shares)).toBeLessThanOrEqual(100);
  });

  it('a result sealed before the base was stated follows its rule', () => {
    expect(shareOf(approval, result('simple', 8), 'abstain')).toBeNull();
  });
});
