import { useState } from 'preact/hooks';
import { useStore } from '../lib/store.ts';
import { t } from '../lib/i18n.ts';
import { api } from '../lib/api.ts';
import { session } from '../lib/session.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field } from '../components/ui.tsx';
import { usePageTitle } from '../lib/page-title.ts';

/** Every user's own account: change the password; delegates also set their voting PIN. */
export function Account() {
  usePageTitle(t('account.title'));
  const me = useStore(session);
  if (!me) return null;
  return (
    <main id="main" class="page page-narrow">
      <h1>{t('account.title')}</h1>
      <p>
        {me.user.fullName} · <span class="muted">{me.user.username}</span>
      </p>
      {me.scopeMeetingId != null ? (
        <p class="callout">{t('account.qrOnly')}</p>
      ) : (
        <>
          <PasswordForm />
          {me.user.role === 'delegate' && <PinForm />}
        </>
      )}
    </main>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const [mismatch, setMismatch] = useState(false);
  const act = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    void act.run(async () => {
      await api.auth.changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    });
  };
  return (
    <form class="card stack" aria-labelledby="pw-h" onSubmit={submit}>
      <h2 id="pw-h">{t('account.password')}</h2>
      <Field label={t('account.current')}>
        <input name="current-password" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </Field>
      <Field label={t('account.new')} hint={t('account.newHint')}>
        <input name="new-password" type="password" autocomplete="new-password" minLength={10} required value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </Field>
      <Field label={t('account.repeat')}>
        <input name="repeat-password" type="password" autocomplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
      </Field>
      {mismatch && (
        <p class="alert alert-error" role="alert">
          {t('account.mismatch')}
        </p>
      )}
      <ErrorBox error={act.error} />
      {done && (
        <p class="callout callout-ok" role="status">
          {t('account.changed')}
        </p>
      )}
      <Button type="submit" variant="primary" disabled={act.busy}>
        {t('common.save')}
      </Button>
    </form>
  );
}

function PinForm() {
  const status = useAsync(() => api.auth.pinStatus(), []);
  const [password, setPassword] = useState('');
  const [pin, setPin] = useState('');
  const [saved, setSaved] = useState(false);
  const act = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    void act.run(async () => {
      await api.auth.setPin(password, pin);
      setPassword('');
      setPin('');
      setSaved(true);
    });
  };
  return (
    <form class="card stack" aria-labelledby="pin-form-h" onSubmit={submit}>
      <h2 id="pin-form-h">{t('account.pin')}</h2>
      <p class="muted">{t('account.pinHint')}</p>
      {status.data && <p>{status.data.pinSet || saved ? t('account.pinSet') : t('account.pinNone')}</p>}
      <Field label={t('pin.label')}>
        <input name="pin" type="password" inputMode="numeric" autocomplete="off" pattern="[0-9]{4,6}" minLength={4} maxLength={6} required value={pin} onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} />
      </Field>
      <Field label={t('account.current')}>
        <input name="pin-password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={act.error} />
      {saved && (
        <p class="callout callout-ok" role="status">
          {t('account.pinSaved')}
        </p>
      )}
      <Button type="submit" variant="primary" disabled={act.busy || pin.length < 4}>
        {t('common.save')}
      </Button>
    </form>
  );
}
