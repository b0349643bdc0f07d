import { useState } from 'preact/hooks';
import { meetingOver, type Meeting } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { formatDateTime, t } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { useStore } from '../lib/store.ts';
import { session } from '../lib/session.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Loading } from '../components/ui.tsx';
import { MeetingFields, meetingBody, meetingDraft } from './MeetingFields.tsx';
import { usePageTitle } from '../lib/page-title.ts';

export function StatusTag({ status }: { status: Meeting['status'] }) {
  return <span class={`tag tag-${status}`}>{t(`status.${status}`)}</span>;
}

/** Secretariat: every meeting of the province, newest first, and the create form. */
export function MeetingsList() {
  usePageTitle(t('meetings.title'));
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
              {meetingOver(m.status) && (
                <a class="btn" href={`/meetings/${m.id}/minutes`}>
                  {t('minutes.link')}
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
  const [draft, setDraft] = useState(() => {
    const start = new Date(Date.now() + 3600_000);
    start.setMinutes(0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600_000);
    return meetingDraft({ title: '', kind: 'conference', description: '', startsAt: start.toISOString(), endsAt: end.toISOString() });
  });
  const act = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    const chairUnitId = me?.provinceId ?? me?.user.unitId;
    if (!chairUnitId) return;
    // Stays busy after success: the editor of the new meeting opens.
    void act.run(
      async () => {
        const m = await api.meetings.create({ ...meetingBody(draft), chairUnitId });
        navigate(`/meetings/${m.id}?tab=agenda`);
      },
      { keepBusy: true },
    );
  };

  return (
    <form class="card stack" onSubmit={submit} aria-label={t('meetings.new')}>
      <h2>{t('meetings.new')}</h2>
      <MeetingFields value={draft} onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))} />
      <ErrorBox error={act.error} />
      <div class="actions">
        <Button type="submit" variant="primary" disabled={act.busy}>
          {t('meetings.create')}
        </Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}
