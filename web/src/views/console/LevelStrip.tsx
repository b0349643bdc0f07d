import { useMemo } from 'preact/hooks';
import { t } from '../../lib/i18n.ts';
import type { LiveState } from '../../live/state.ts';
import { levelSummaries, type FilterContext } from './bridge-filter.ts';

/**
 * Per-level counts that stay at the top of the console while the chair scrolls
 * 213 bridges: connected, never joined, dropped, weak, roll-call confirmed.
 */
export function LevelStrip({ s, ctx }: { s: LiveState; ctx: FilterContext }) {
  const rows = useMemo(() => levelSummaries(s, ctx), [s.presence.bridges, ctx]);
  return (
    <section class="level-strip" aria-labelledby="strip-h" data-level-strip>
      <h2 id="strip-h" class="sr-only">
        {t('summary.title')}
      </h2>
      <dl>
        {rows.map((r) => (
          <div key={r.level} class="lvl" data-level={r.level} data-bridges={r.bridges} data-connected={r.connected} data-never={r.never} data-dropped={r.dropped} data-confirmed={r.confirmed ?? ''}>
            <dt>{t(`level.${r.level}`)}</dt>
            <dd>{t('summary.connected', { n: r.connected, total: r.bridges })}</dd>
            {r.never > 0 && <dd class="n-never">{t('summary.never', { n: r.never })}</dd>}
            {r.dropped > 0 && <dd class="n-dropped">{t('summary.dropped', { n: r.dropped })}</dd>}
            {r.weak > 0 && <dd>{t('summary.weak', { n: r.weak })}</dd>}
            {r.confirmed !== null && <dd>{t('summary.confirmed', { n: r.confirmed, total: r.bridges })}</dd>}
            <dd>{t('summary.present', { n: r.delegatesPresent })}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
