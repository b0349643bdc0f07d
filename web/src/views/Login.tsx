import { useState } from 'preact/hooks';
import { t } from '../lib/i18n.ts';
import { homeFor, login } from '../lib/session.ts';
import { navigate, queryParam } from '../lib/router.ts';
import { useAction } from '../lib/use-async.ts';
import { safeReturnPath } from '../lib/return-to.ts';
import { Button, ErrorBox, Field } from '../components/ui.tsx';
import { usePageTitle } from '../lib/page-title.ts';

/** One form for every role; `?next=` brings the user back where they were going. */
export function Login() {
  usePageTitle(t('login.title'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const act = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    // Stays busy after success: the page is about to change.
    void act.run(
      async () => {
        const me = await login(username.trim(), password);
        navigate(safeReturnPath(queryParam('next'), location.origin) ?? homeFor(me), { replace: true });
      },
      { keepBusy: true },
    );
  };

  return (
    <main id="main" class="page page-narrow">
      <h1>{t('login.title')}</h1>
      <p class="muted">{t('app.tagline')}</p>
      <form class="card stack" onSubmit={submit}>
        <Field label={t('login.username')}>
          <input name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field label={t('login.password')}>
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={act.error} />
        <Button type="submit" variant="primary" class="btn-block" disabled={act.busy}>
          {act.busy ? t('login.busy') : t('login.submit')}
        </Button>
      </form>
      <p class="muted">{t('login.qrHint')}</p>
    </main>
  );
}
