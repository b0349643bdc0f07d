import { useStore } from '../lib/store.ts';
import { connection } from '../lib/socket.ts';
import { t } from '../lib/i18n.ts';

/** Always-visible connection state; announced to screen readers when it changes. */
export function ConnectionBadge() {
  const c = useStore(connection);
  const text =
    c.state === 'online' ? t('conn.online') : c.state === 'denied' ? t('conn.denied') : c.state === 'offline' ? t('conn.offline') : t('conn.connecting');
  return (
    <span class={`conn conn-${c.state}`} role="status" aria-live="polite" aria-label={`${t('conn.label')}: ${text}`} data-conn={c.state}>
      <span class="conn-dot" aria-hidden="true" />
      <span class="conn-text">{text}</span>
    </span>
  );
}
