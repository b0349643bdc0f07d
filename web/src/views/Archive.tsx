/** Ended meetings with their minutes, searchable by title, unit, date and conclusions (with or without diacritics). */
import { useState } from 'preact/hooks';
import { request } from '../lib/api.ts';
import { formatDateTime, t } from '../lib/i18n.ts';
import { useAsync } from '../lib/use-async.ts';
import { ErrorBox, Field, Loading } from '../components/ui.tsx';
import { MinutesSettings } from './MinutesSettings.tsx';

interface Row {
  id: number;
  title: string;
  startsAt: string;
  unit: string;
  minutes: { version: number; status: 'draft' | 'final' } | null;
  excerpt: string;
}

export function Archive() {
  const [q, setQ] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const qs = new URLSearchParams({ ...(q.trim() && { q: q.trim() }), ...(from && { from }), ...(to && { to }) }).toString();
  const rows = useAsync(() => request<Row[]>('GET', `/api/minutes/archive?${qs}`), [qs]);
  return (
    <main id="main" class="page archive-page">
      <h1>{t('archive.title')}</h1>
      <MinutesSettings />
      <div class="report-filters">
        <Field label={t('archive.search')}>
          <input type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label={t('archive.from')}>
          <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label={t('archive.to')}>
          <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      <ErrorBox error={rows.error} onRetry={rows.reload} />
      {!rows.data ? (
        <Loading />
      ) : rows.data.length === 0 ? (
        <p class="muted">{t('archive.empty')}</p>
      ) : (
        <ul class="list" aria-label={t('archive.title')}>
          {rows.data.map((r) => (
            <li key={r.id} class="list-row" data-archive={r.id}>
              <div class="grow">
                <a class="list-title" href={`/meetings/${r.id}/minutes`}>
                  {r.title}
                </a>
                <div class="muted">
                  {r.unit} · {formatDateTime(r.startsAt)} · {r.minutes ? `${t('minutes.version', { n: r.minutes.version })} – ${t(`minutes.status.${r.minutes.status}`)}` : t('archive.noMinutes')}
                </div>
                {r.excerpt && <div class="muted">{r.excerpt}</div>}
              </div>
              {r.minutes && (
                <a class="btn" href={`/api/meetings/${r.id}/minutes/file.pdf`} download>
                  PDF
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
