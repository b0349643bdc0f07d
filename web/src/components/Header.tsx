import { useStore } from '../lib/store.ts';
import { lang, setLang, t } from '../lib/i18n.ts';
import { homeFor, isStaff, logout, session } from '../lib/session.ts';
import { navigate } from '../lib/router.ts';
import { ConnectionBadge } from './ConnectionBadge.tsx';

export function LangSwitch() {
  const l = useStore(lang);
  return (
    <button type="button" class="btn btn-ghost" lang={l === 'vi' ? 'en' : 'vi'} aria-label={`${t('lang.label')}: ${t('lang.switch')}`} onClick={() => setLang(l === 'vi' ? 'en' : 'vi')}>
      {t('lang.switch')}
    </button>
  );
}

/** Top bar: app name, connection state, user, language, sign-out. */
export function Header({ compact }: { compact?: boolean }) {
  const me = useStore(session);
  return (
    <header class={`topbar ${compact ? 'topbar-compact' : ''}`}>
      <a class="brand" href={me ? homeFor(me) : '/login'}>
        {t('app.name')}
      </a>
      {me && <ConnectionBadge />}
      <div class="topbar-right">
        {me?.user.role === 'admin' && (
          <a class="btn btn-ghost" href="/audit">
            {t('audit.nav')}
          </a>
        )}
        {me && isStaff(me.user.role) && !compact && (
          <a class="btn btn-ghost" href="/reports">
            {t('nav.reports')}
          </a>
        )}
        {me && isStaff(me.user.role) && !compact && (
          <a class="btn btn-ghost" href="/archive">
            {t('minutes.nav')}
          </a>
        )}
        {me && (
          <span class="who">
            {me.user.fullName} <span class="who-role">· {t(`role.${me.user.role}`)}</span>
          </span>
        )}
        <LangSwitch />
        {me && (
          <a class="btn btn-ghost" href="/account">
            {t('account.link')}
          </a>
        )}
        {me && (
          <button
            type="button"
            class="btn btn-ghost"
            onClick={() => {
              void logout().then(() => navigate('/login', { replace: true }));
            }}
          >
            {t('common.logout')}
          </button>
        )}
      </div>
    </header>
  );
}
