import { useEffect, useState } from 'preact/hooks';
import type { MediaWorkers } from '@diemcau/shared';
import { request } from '../../lib/api.ts';
import { t } from '../../lib/i18n.ts';
import { useAsync } from '../../lib/use-async.ts';
import { ErrorBox } from '../../components/ui.tsx';

const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n)} %`);

/** The media workers' load and the meetings on each, refreshed every few seconds. */
export function WorkersPanel() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), 5000);
    return () => clearInterval(id);
  }, []);
  const r = useAsync(() => request<MediaWorkers>('GET', '/api/media/workers'), [tick]);
  const data = r.data;
  return (
    <section class="panel" aria-labelledby="workers-h">
      <h2 id="workers-h">{t('workers.title')}</h2>
      {r.error && !data ? <ErrorBox error={r.error} onRetry={r.reload} /> : null}
      {data && !data.started && <p class="muted">{t('workers.none')}</p>}
      {data && data.started && (
        <table class="counts">
          <thead>
            <tr>
              <th scope="col">{t('workers.worker')}</th>
              <th scope="col">{t('workers.cpu')}</th>
              <th scope="col">{t('workers.load')}</th>
              <th scope="col">{t('workers.streams')}</th>
              <th scope="col">{t('workers.meetings')}</th>
            </tr>
          </thead>
          <tbody>
            {data.workers.map((w) => (
              <tr key={w.index} data-worker={w.index} data-load={Math.round(w.load)} data-producers={w.producers}>
                <th scope="row">#{w.index + 1}</th>
                <td>{pct(w.cpu)}</td>
                <td>
                  {pct(w.load)} / {pct(w.limit)}
                </td>
                <td>
                  {w.producers} ↑ {w.consumers} ↓ {w.pipes} ⇄
                </td>
                <td data-meetings={w.meetingIds.join(',')}>{w.meetingIds.length ? w.meetingIds.join(', ') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
