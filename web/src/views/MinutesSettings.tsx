/** The province's choice of official layout for its minutes (Party or state) and the names its header prints. */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../lib/api.ts';
import { t } from '../lib/i18n.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field } from '../components/ui.tsx';

interface Settings {
  style: 'party' | 'state';
  superior: string;
  issuer: string;
  symbol: string;
  place: string;
}

export function MinutesSettings() {
  const loaded = useAsync(() => request<Settings>('GET', '/api/minutes/settings'), []);
  const [s, setS] = useState<Settings | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  useEffect(() => {
    if (loaded.data) setS({ style: loaded.data.style, superior: loaded.data.superior, issuer: loaded.data.issuer, symbol: loaded.data.symbol, place: loaded.data.place });
  }, [loaded.data]);
  if (!s) return <ErrorBox error={loaded.error} />;
  const text = (k: Exclude<keyof Settings, 'style'>) => (
    <Field label={t(`archive.${k}`)}>
      <input value={s[k]} onInput={(e) => (setS({ ...s, [k]: (e.target as HTMLInputElement).value }), setSaved(false))} />
    </Field>
  );
  return (
    <details class="minutes-settings">
      <summary>{t('archive.settings')}</summary>
      <Field label={t('archive.style')}>
        <select value={s.style} onChange={(e) => (setS({ ...s, style: (e.target as HTMLSelectElement).value as Settings['style'] }), setSaved(false))}>
          <option value="party">{t('archive.style.party')}</option>
          <option value="state">{t('archive.style.state')}</option>
        </select>
      </Field>
      {text('superior')}
      {text('issuer')}
      {text('symbol')}
      {text('place')}
      <Button variant="primary" disabled={save.busy} onClick={() => void save.run(async () => (await request('PUT', '/api/minutes/settings', s), setSaved(true)))}>
        {t('minutes.save')}
      </Button>
      {saved && <span role="status">{t('archive.saved')}</span>}
      <ErrorBox error={save.error} />
    </details>
  );
}
