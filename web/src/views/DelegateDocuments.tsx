import { t } from '../lib/i18n.ts';
import type { LiveState } from '../live/state.ts';

/** The delegate's documents (documents feature). */
export function DelegateDocuments({ s }: { s: LiveState }) {
  return (
    <section class="card" aria-labelledby="ddoc-h" data-rev={s.rev}>
      <h2 id="ddoc-h">{t('docs.title')}</h2>
    </section>
  );
}
