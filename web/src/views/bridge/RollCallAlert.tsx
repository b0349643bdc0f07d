import { useEffect, useState } from 'preact/hooks';
import { send } from '../../lib/socket.ts';
import { t } from '../../lib/i18n.ts';
import { beep } from '../../lib/beep.ts';
import { loadPref, savePref } from '../../lib/prefs.ts';
import { Button, ErrorBox } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import type { LiveState } from '../../live/state.ts';
import { Icon } from '../../components/Icon.tsx';

const SOUND_KEY = 'diemcau.rollcall.sound';
/** Repeat the chime this often until the operator answers: one chime is easily missed in a noisy hall. */
const BEEP_EVERY_MS = 5000;

const soundPref = (): boolean => loadPref(SOUND_KEY) !== 'off';

/** Chimes now and every few seconds while `on`; counts the chimes for the page's diagnostics. */
function useChime(on: boolean): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!on) return;
    const ring = () => beep() && setCount((n) => n + 1);
    ring();
    const h = setInterval(ring, BEEP_EVERY_MS);
    return () => clearInterval(h);
  }, [on]);
  return count;
}

/**
 * The roll-call on a bridge point's screen. While a roll-call is open and this
 * bridge has not answered, a full-width banner across the top of the screen,
 * with the head-count form and a chime that can be turned off; once answered,
 * a quiet line saying what was confirmed (it may be corrected until closed).
 */
export function RollCallAlert({ s, bp }: { s: LiveState; bp: number }) {
  const act = useAction();
  const rc = s.presence.rollCall;
  const mine = s.presence.bridges.find((b) => b.bridgePointId === bp);
  const [n, setN] = useState(String(mine?.delegatesPresent ?? 0));
  const [sound, setSound] = useState(soundPref);
  const open = rc?.status === 'open';
  const answer = open ? rc.confirmations.find((c) => c.bridgePointId === bp) : undefined;
  const waiting = open && !answer;
  const beeps = useChime(waiting && sound);
  // Each new roll-call starts from the hall's current head count, not what was typed last time.
  useEffect(() => {
    if (open) setN(String(mine?.delegatesPresent ?? 0));
  }, [rc?.id, open]);
  if (!open) return null;
  const toggleSound = () => {
    setSound(!sound);
    savePref(SOUND_KEY, sound ? 'off' : 'on');
  };
  return (
    <section class={waiting ? 'rc-alert' : 'rc-alert rc-done'} aria-labelledby="rc-alert-h" data-rollcall-alert={waiting ? 'waiting' : 'answered'} data-sound={sound ? 'on' : 'off'} data-beeps={beeps}>
      <div role={waiting ? 'alert' : 'status'}>
        <h2 id="rc-alert-h">{waiting ? t('rcalert.title') : t('rollcall.open')}</h2>
        <p>{answer ? t('rcalert.done', { n: answer.delegatesPresent }) : t('rcalert.text')}</p>
      </div>
      <form
        class="rollcall-confirm"
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(() => send('rollcall:confirm', { meetingId: s.meeting.id, delegatesPresent: Math.max(0, Number(n) || 0) }));
        }}
      >
        <label class="inline-field">
          <span>{t('rollcall.headcount')}</span>
          <input type="number" min={0} max={5000} value={n} autoFocus={waiting} onInput={(e) => setN(e.currentTarget.value)} />
        </label>
        <Button type="submit" variant="primary" disabled={act.busy} data-action="rollcall-confirm">
          {answer ? t('rollcall.reconfirm') : t('rollcall.confirm')}
        </Button>
        {waiting && (
          <Button onClick={toggleSound} data-action="rollcall-sound">
            <Icon name="sound" /> {sound ? t('rcalert.soundOff') : t('rcalert.soundOn')}
          </Button>
        )}
      </form>
      <ErrorBox error={act.error} />
    </section>
  );
}
