import type { LevelCounts } from '@diemcau/shared';
import { send } from '../../lib/socket.ts';
import { t } from '../../lib/i18n.ts';
import { Button, ErrorBox } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import type { LiveState } from '../../live/state.ts';

const ROWS = ['provincial', 'district', 'commune', 'overall'] as const;

/** Roll-call totals per level and the roll-call control. */
export function RollCallPanel({ s, chair, onShowUnconfirmed }: { s: LiveState; chair: boolean; onShowUnconfirmed?(): void }) {
  const act = useAction();
  const rc = s.presence.rollCall;
  const meetingId = s.meeting.id;
  const c = s.presence.counts;
  const row = (k: (typeof ROWS)[number], v: LevelCounts) => (
    <tr key={k} class={k === 'overall' ? 'total' : ''} data-level={k}>
      <th scope="row">{k === 'overall' ? t('rollcall.total') : t(`level.${k}`)}</th>
      <td>
        {v.online + v.degraded}/{v.bridges}
      </td>
      <td>{v.delegatesPresent}</td>
      <td>
        {v.presentOnline + v.presentInPerson}/{v.delegates}
      </td>
    </tr>
  );
  return (
    <section class="panel" aria-labelledby="rc-h">
      <h2 id="rc-h">{t('rollcall.title')}</h2>
      <table class="counts">
        <thead>
          <tr>
            <th scope="col">{t('grid.level')}</th>
            <th scope="col">{t('rollcall.bridgesOnline')}</th>
            <th scope="col">{t('rollcall.headcount')}</th>
            <th scope="col">{t('rollcall.delegates')}</th>
          </tr>
        </thead>
        <tbody>{ROWS.map((k) => row(k, c[k]))}</tbody>
      </table>
      {rc && (
        <p data-rollcall={rc.status}>
          {rc.status === 'open' ? t('rollcall.open') : t('rollcall.closed')}: {t('rollcall.confirmed', { n: rc.confirmed, total: rc.expected })}
        </p>
      )}
      {rc && onShowUnconfirmed && rc.confirmed < rc.expected && (
        <Button variant="ghost" data-action="show-unconfirmed" onClick={onShowUnconfirmed}>
          {t('filter.unconfirmed')} ({rc.expected - rc.confirmed})
        </Button>
      )}
      <ErrorBox error={act.error} />
      {chair && (
        <div class="actions">
          {rc?.status === 'open' ? (
            <Button disabled={act.busy} onClick={() => void act.run(() => send('rollcall:close', { meetingId }))}>
              {t('rollcall.close')}
            </Button>
          ) : (
            <Button disabled={act.busy || s.meeting.status !== 'live'} data-action="rollcall-start" onClick={() => void act.run(() => send('rollcall:start', { meetingId }))}>
              {t('rollcall.start')}
            </Button>
          )}
        </div>
      )}
    </section>
  );
}
