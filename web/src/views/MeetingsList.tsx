import { useState } from 'preact/hooks';
import type { Meeting, MeetingKind } from '@diemcau/shared';
import { MEETING_KINDS } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { formatDateTime, t } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { useStore } from '../lib/store.ts';
import { session } from '../lib/session.ts';
import { useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, Loading } from '../components/ui.tsx';
import { fromLocalInput, toLocalInput } from './meeting-links.ts';

export function StatusTag({ status }: { status: Meeting['status'] }) {
  return <span class={`tag tag-${status}`}>{t(`status.${status}`)}</span>;
}

/** Secretariat: every meeting of the province, newest first, and the create form. */
export function MeetingsList() {
  const list = useAsync(() => api.meetings.list(), []);
  const [creating, setCreating] = useState(false);
  const meetings = [...(list.data ?? [])].sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  return (
    <main id="main" class="page">
      <div class="page-head">
        <h1>{t('meetings.title')}</h1>
        {!creating && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            + {t('meetings.new')}
          </Button>
        )}
      </div>
      {creating && <CreateMeeting onCancel={() => setCreating(false)} />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? (
        <Loading />
      ) : meetings.length === 0 ? (
        <p class="muted">{t('meetings.empty')}</p>
      ) : (
        <ul class="list" aria-label={t('meetings.title')}>
          {meetings.map((m) => (
            <li key={m.id} class="list-row">
              <div class="grow">
                <a class="list-title" href={`/meetings/${m.id}`}>
                  {m.title}
                </a>
                <div class="muted">
                  {t(`kind.${m.kind}`)} · {formatDateTime(m.startsAt)}
                </div>
              </div>
              <StatusTag status={m.status} />
              {m.status === 'live' && (
                <a class="btn btn-primary" href={`/meetings/${m.id}/console`}>
                  {t('meetings.console')}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

function CreateMeeting({ onCancel }: { onCancel(): void }) {
  const me = useStore(session);
  const start = new Date(Date.now() + 3600_000);
  start.setMinutes(0, 0, 0);
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<MeetingKind>('conference');
  const [description, setDescription] = useState('');
  const [startsAt, setStartsAt] = useState(toLocalInput(start.toISOString()));
  const [endsAt, setEndsAt] = useState(toLocalInput(new Date(start.getTime() + 2 * 3600_000).toISOString()));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const chairUnitId = me?.provinceId ?? me?.user.unitId;
    if (!chairUnitId) return;
    setBusy(true);
    setError(null);
    try {
      const m = await api.meetings.create({
        title: title.trim(),
        kind,
        description,
        startsAt: fromLocalInput(startsAt),
        endsAt: fromLocalInput(endsAt),
        chairUnitId,
      });
      navigate(`/meetings/${m.id}?tab=agenda`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form class="card stack" onSubmit={submit} aria-label={t('meetings.new')}>
      <h2>{t('meetings.new')}</h2>
      <Field label={t('meetings.field.title')}>
        <input name="title" required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field label={t('meetings.field.kind')}>
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as MeetingKind)}>
          {MEETING_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <div class="row-2">
        <Field label={t('meetings.field.startsAt')}>
          <input name="startsAt" type="datetime-local" required value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} />
        </Field>
        <Field label={t('meetings.field.endsAt')}>
          <input name="endsAt" type="datetime-local" required value={endsAt} onInput={(e) => setEndsAt(e.currentTarget.value)} />
        </Field>
      </div>
      <Field label={t('meetings.field.description')}>
        <textarea name="description" rows={3} maxLength={5000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={error} />
      <div class="actions">
        <Button type="submit" variant="primary" disabled={busy}>
          {t('meetings.create')}
        </Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}
