import { t } from '../../lib/i18n.ts';
import type { LiveState } from '../../live/state.ts';

/** Document receipts per document and per bridge point (documents feature). */
export function ReceiptsPanel({ s }: { s: LiveState }) {
  return (
    <section class="panel" aria-labelledby="rcpt-h" data-rev={s.rev}>
      <h2 id="rcpt-h">{t('receipts.title')}</h2>
    </section>
  );
}
