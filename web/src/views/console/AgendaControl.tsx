import { send } from '../../lib/socket.ts';
import { t } from '../../lib/i18n.ts';
import { Button, ErrorBox } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import { TimerText } from '../../live/widgets.tsx';
import type { LiveState } from '../../live/state.ts';

/** Chair: move through the agenda and run the item timer. */
export function AgendaControl({ s }: { s: LiveState }) {
  const act = useAction();
  const meetingId = s.meeting.id;
  const live = s.meeting.status === 'live';
  const idx = s.agenda.items.findIndex((i) => i.id === s.agenda.currentItemId);
  const next = s.agenda.items[idx + 1];
  const timer = s.agenda.timer;
  const setCurrent = (itemId: number) => act.run(() => send('agenda:set-current', { meetingId, itemId }));
  return (
    <section class="panel" aria-labelledby="agenda-ctl-h">
      <h2 id="agenda-ctl-h">{t('agenda.title')}</h2>
      {idx >= 0 && (
        <div class="now-row">
          <strong>
            {t('agenda.item', { n: idx + 1 })}: {s.agenda.items[idx]!.title}
          </strong>
          <TimerText s={s} big />
        </div>
      )}
      <div class="actions">
        {next && (
          <Button variant="primary" disabled={!live || act.busy} onClick={() => void setCurrent(next.id)} data-action="agenda-next">
            {idx < 0 ? t('agenda.begin') : t('agenda.next')} ▸
          </Button>
        )}
        {timer && timer.status !== 'running' && (
          <Button disabled={!live || act.busy} onClick={() => void act.run(() => send('timer:start', { meetingId }))}>
            ▶ {t('timer.start')}
          </Button>
        )}
        {timer?.status === 'running' && (
          <Button disabled={act.busy} onClick={() => void act.run(() => send('timer:pause', { meetingId }))}>
            ❚❚ {t('timer.pause')}
          </Button>
        )}
        {timer && (
          <Button disabled={!live || act.busy} onClick={() => void act.run(() => send('timer:extend', { meetingId, minutes: 5 }))}>
            +5 {t('timer.min')}
          </Button>
        )}
      </div>
      <ErrorBox error={act.error} />
      <ol class="agenda-ctl-list">
        {s.agenda.items.map((it, i) => {
          const cur = it.id === s.agenda.currentItemId;
          return (
            <li key={it.id} class={cur ? 'current' : ''} aria-current={cur ? 'step' : undefined}>
              <span class="agenda-num">{i + 1}.</span>
              <span class="grow">
                {it.title}
                <span class="muted"> · {t('common.minutes', { n: it.plannedMinutes })}</span>
              </span>
              {!cur && (
                <Button variant="ghost" disabled={!live || act.busy} aria-label={`${t('agenda.goTo')}: ${it.title}`} onClick={() => void setCurrent(it.id)}>
                  {t('agenda.goTo')}
                </Button>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
