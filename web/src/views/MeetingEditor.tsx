import { useEffect, useState } from 'preact/hooks';
import type { Meeting, MeetingKind, MeetingStatus } from '@diemcau/shared';
import { MEETING_KINDS } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { t, type MsgKey } from '../lib/i18n.ts';
import { queryParam } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, Loading } from '../components/ui.tsx';
import { AgendaEditor } from './AgendaEditor.tsx';
import { InviteTree } from './InviteTree.tsx';
import { DocumentsPanel } from './DocumentsPanel.tsx';
import { StatusTag } from './MeetingsList.tsx';
import { fromLocalInput, toLocalInput } from './meeting-links.ts';

const TABS = ['details', 'agenda', 'invite', 'documents'] as const;
type Tab = (typeof TABS)[number];

const NEXT: Partial<Record<MeetingStatus, { to: MeetingStatus; label: MsgKey; variant?: 'primary' | 'danger' }[]>> = {
  draft: [{ to: 'scheduled', label: 'meetings.schedule', variant: 'primary' }],
  // Starting and ending happen in the console: the live conference room owns those moves.
  scheduled: [{ to: 'draft', label: 'meetings.unschedule' }],
  ended: [{ to: 'archived', label: 'meetings.archive' }],
};

/** Secretariat: one meeting, in tabs; the status buttons walk it draft → scheduled → live → ended. */
export function MeetingEditor({ id }: { id: number }) {
  const meeting = useAsync(() => api.meetings.get(id), [id]);
  const tabParam = queryParam('tab') as Tab | null;
  const tab: Tab = tabParam && TABS.includes(tabParam) ? tabParam : 'details';
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (meeting.loading && !meeting.data) return <main id="main" class="page"><Loading /></main>;
  const m = meeting.data;
  if (!m)
    return (
      <main id="main" class="page">
        <ErrorBox error={meeting.error} onRetry={meeting.reload} />
      </main>
    );

  const transition = async (to: MeetingStatus) => {
    setBusy(true);
    setError(null);
    try {
      const next = await api.meetings.transition(id, to);
      meeting.setData(next);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="page">
      <p>
        <a href="/meetings">← {t('meetings.title')}</a>
      </p>
      <div class="page-head">
        <h1>{m.title}</h1>
        <StatusTag status={m.status} />
      </div>
      <div class="actions">
        {(NEXT[m.status] ?? []).map((n) => (
          <Button key={n.to} variant={n.variant} disabled={busy} onClick={() => void transition(n.to)} data-transition={n.to}>
            {t(n.label)}
          </Button>
        ))}
        {m.status === 'scheduled' && (
          <a class="btn btn-primary" href={`/meetings/${id}/console`} data-action="open-console-start">
            {t('meetings.start')}
          </a>
        )}
        {m.status === 'live' && (
          <a class="btn btn-primary" href={`/meetings/${id}/console`}>
            {t('meetings.console')}
          </a>
        )}
        <a class="btn" href={`/meetings/${id}/bridge`}>
          {t('meetings.bridgeScreen')}
        </a>
      </div>
      <ErrorBox error={error} />
      <nav class="tabs" aria-label={m.title}>
        {TABS.map((k) => (
          <a key={k} href={`/meetings/${id}?tab=${k}`} class={`tab ${tab === k ? 'tab-active' : ''}`} aria-current={tab === k ? 'page' : undefined}>
            {t(`meetings.tab.${k}`)}
          </a>
        ))}
      </nav>
      {tab === 'details' && <DetailsForm meeting={m} onSaved={meeting.setData} />}
      {tab === 'agenda' && <AgendaEditor meetingId={id} />}
      {tab === 'invite' && <InviteTree meetingId={id} />}
      {tab === 'documents' && <DocumentsPanel meetingId={id} />}
    </main>
  );
}

function DetailsForm({ meeting, onSaved }: { meeting: Meeting; onSaved(m: Meeting): void }) {
  const [title, setTitle] = useState(meeting.title);
  const [kind, setKind] = useState<MeetingKind>(meeting.kind);
  const [description, setDescription] = useState(meeting.description);
  const [startsAt, setStartsAt] = useState(toLocalInput(meeting.startsAt));
  const [endsAt, setEndsAt] = useState(toLocalInput(meeting.endsAt));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [title, kind, description, startsAt, endsAt]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await api.meetings.update(meeting.id, {
          title: title.trim(),
          kind,
          description,
          startsAt: fromLocalInput(startsAt),
          endsAt: fromLocalInput(endsAt),
        }),
      );
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card stack" onSubmit={submit}>
      <Field label={t('meetings.field.title')}>
        <input required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field label={t('meetings.field.kind')}>
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as MeetingKind)}>
          {MEETING_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <div class="row-2">
        <Field label={t('meetings.field.startsAt')}>
          <input type="datetime-local" required value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} />
        </Field>
        <Field label={t('meetings.field.endsAt')}>
          <input type="datetime-local" required value={endsAt} onInput={(e) => setEndsAt(e.currentTarget.value)} />
        </Field>
      </div>
      <Field label={t('meetings.field.description')}>
        <textarea rows={4} maxLength={5000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={error} />
      {saved && (
        <p class="alert alert-ok" role="status">
          {t('common.saved')}
        </p>
      )}
      <div class="actions">
        <Button type="submit" variant="primary" disabled={busy}>
          {t('common.save')}
        </Button>
      </div>
    </form>
  );
}
