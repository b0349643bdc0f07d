import { useEffect, useState } from 'preact/hooks';
import { send } from '../lib/socket.ts';
import { t } from '../lib/i18n.ts';
import { useAction } from '../lib/use-async.ts';
import { Button, ErrorBox, Field } from '../components/ui.tsx';
import { loginUrlFor } from '../lib/return-to.ts';

/**
 * The one extra step a delegate who entered by QR code takes before the first vote:
 * the PIN only they know. It is set after a password sign-in, never from the QR
 * session itself (the printed sheet passes through other hands first).
 */
export function PinPrompt({ onUnlocked, onCancel }: { onUnlocked(): void; onCancel(): void }) {
  const [pin, setPin] = useState('');
  const [pinSet, setPinSet] = useState(true);
  const act = useAction();
  useEffect(() => {
    void send('pin:status', {}).then((s) => setPinSet(s.pinSet), () => undefined);
  }, []);
  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      await send('pin:enter', { pin });
      onUnlocked();
    });
  };
  if (!pinSet) {
    return (
      <div class="confirm stack-sm" role="dialog" aria-labelledby="pin-h">
        <h3 id="pin-h">{t('pin.setTitle')}</h3>
        <p>{t('pin.setHint')}</p>
        <a class="btn btn-primary btn-big btn-block" href={loginUrlFor('/account')} data-action="pin-sign-in">
          {t('pin.signIn')}
        </a>
        <Button class="btn-big btn-block" onClick={onCancel}>
          ↺ {t('vote.change')}
        </Button>
      </div>
    );
  }
  return (
    <form class="confirm stack-sm" role="dialog" aria-labelledby="pin-h" onSubmit={submit}>
      <h3 id="pin-h">{t('pin.title')}</h3>
      <p class="muted">{t('pin.hint')}</p>
      <Field label={t('pin.label')}>
        <input
          class="pin-input"
          name="pin"
          type="password"
          inputMode="numeric"
          autocomplete="off"
          pattern="[0-9]{4,6}"
          minLength={4}
          maxLength={6}
          required
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
        />
      </Field>
      <ErrorBox error={act.error} />
      <Button type="submit" variant="primary" class="btn-big btn-block" disabled={act.busy || pin.length < 4} data-action="pin-submit">
        {t('pin.submit')}
      </Button>
      <Button class="btn-big btn-block" disabled={act.busy} onClick={onCancel}>
        ↺ {t('vote.change')}
      </Button>
    </form>
  );
}
