import { useEffect, useState } from 'preact/hooks';
import { send } from '../lib/socket.ts';
import { t } from '../lib/i18n.ts';
import { useAction } from '../lib/use-async.ts';
import { Button, ErrorBox, Field } from '../components/ui.tsx';

/**
 * The one extra step a delegate who entered by QR code takes before the first vote:
 * the PIN only they know (set here the first time). Then the session is unlocked.
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
  return (
    <form class="confirm stack-sm" role="dialog" aria-labelledby="pin-h" onSubmit={submit}>
      <h3 id="pin-h">{pinSet ? t('pin.title') : t('pin.setTitle')}</h3>
      <p class="muted">{pinSet ? t('pin.hint') : t('pin.setHint')}</p>
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
