/**
 * Results that add up: an option's share is of the base the majority rule
 * uses (votes cast, delegates present, or all invited), and the result says
 * which. Pure, so it is tested without a page.
 */
import type { PollResult, PollView } from '@diemcau/shared';

export type BaseKind = NonNullable<PollResult['baseKind']>;

/** What the majority rule counts against; results sealed before it was stated follow their rule. */
export const baseKindOf = (r: Pick<PollResult, 'baseKind' | 'majority'>): BaseKind => r.baseKind ?? (r.majority === 'simple' ? 'votes_cast' : 'present');

export const pct = (n: number, d: number) => (d > 0 ? `${Math.round((n / d) * 1000) / 10}%` : '–');

/**
 * An option's share of the majority base. With a simple majority of an
 * approval poll, "Không biểu quyết" is not a vote cast: it is outside the base
 * and gets no percentage (null), so the shares add up to 100%.
 */
export function shareOf(poll: Pick<PollView, 'kind'>, r: Pick<PollResult, 'baseKind' | 'majority' | 'base' | 'options'>, optionId: string): string | null {
  if (baseKindOf(r) === 'votes_cast' && poll.kind === 'approval' && optionId === 'abstain') return null;
  return pct(r.options.find((o) => o.id === optionId)?.votes ?? 0, r.base);
}
