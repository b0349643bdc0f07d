import { useEffect, useState } from 'preact/hooks';
import { meetingOver, type Meeting, type MeetingStatus } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { formatDateTime, t, type MsgKey } from '../lib/i18n.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { queryParam } from '../lib/router.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Loading } from '../components/ui.tsx';
import { AgendaEditor } from './AgendaEditor.tsx';
import { InviteTree } from './InviteTree.tsx';
import { DocumentsPanel } from './DocumentsPanel.tsx';
import { StatusTag } from './MeetingsList.tsx';
import { MeetingFields, meetingBody, meetingDraft } from './MeetingFields.tsx';

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
  const act = useAction();
  usePageTitle(meeting.data?.title, t(`meetings.tab.${tab}`), t('title.editor'));

  if (meeting.loading && !meeting.data) return <main id="main" class="page"><Loading /></main>;
  const m = meeting.data;
  if (!m)
    return (
      <main id="main" class="page">
        <ErrorBox error={meeting.error} onRetry={meeting.reload} />
      </main>
    );

  // The server refuses edits of details outside draft/scheduled, and of anything once ended: the page offers none.
  const ended = meetingOver(m.status);
  const editable = m.status === 'draft' || m.status === 'scheduled';
  const transition = (to: MeetingStatus) => act.run(async () => meeting.setData(await api.meetings.transition(id, to)));

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
          <Button key={n.to} variant={n.variant} disabled={act.busy} onClick={() => void transition(n.to)} data-transition={n.to}>
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
        <a class="btn" href={`/meetings/${id}/recordings`}>
          {t('rec.link')}
        </a>
      </div>
      <ErrorBox error={act.error} />
      {ended && (
        <p class="callout" role="status" data-readonly="ended">
          {t('ended.readOnly')}
        </p>
      )}
      <nav class="tabs" aria-label={m.title}>
        {TABS.map((k) => (
          <a key={k} href={`/meetings/${id}?tab=${k}`} class={`tab ${tab === k ? 'tab-active' : ''}`} aria-current={tab === k ? 'page' : undefined}>
            {t(`meetings.tab.${k}`)}
          </a>
        ))}
      </nav>
      {tab === 'details' && (editable ? <DetailsForm meeting={m} onSaved={meeting.setData} /> : <DetailsView meeting={m} />)}
      {tab === 'agenda' && <AgendaEditor meetingId={id} readOnly={ended} />}
      {tab === 'invite' && <InviteTree meetingId={id} readOnly={ended} />}
      {tab === 'documents' && <DocumentsPanel meetingId={id} readOnly={ended} />}
    </main>
  );
}

function DetailsForm({ meeting, onSaved }: { meeting: Meeting; onSaved(m: Meeting): void }) {
  const [draft, setDraft] = useState(() => meetingDraft(meeting));
  const act = useAction();
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [draft]);

  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      onSaved(await api.meetings.update(meeting.id, meetingBody(draft)));
      setSaved(true);
    });
  };
  return (
    <form class="card stack" onSubmit={submit}>
      <MeetingFields value={draft} onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))} />
      <ErrorBox error={act.error} />
      {saved && (
        <p class="alert alert-ok" role="status">
          {t('common.saved')}
        </p>
      )}
      <div class="actions">
        <Button type="submit" variant="primary" disabled={act.busy}>
          {t('common.save')}
        </Button>
      </div>
    </form>
  );
}

/** A meeting that can no longer be edited: its details as text, no form and no "Lưu". */
function DetailsView({ meeting: m }: { meeting: Meeting }) {
  return (
    <dl class="card details-view" data-details="read-only">
      <dt>{t('meetings.field.title')}</dt>
      <dd>{m.title}</dd>
      <dt>{t('meetings.field.kind')}</dt>
      <dd>{t(`kind.${m.kind}`)}</dd>
      <dt>{t('meetings.field.startsAt')}</dt>
      <dd>{formatDateTime(m.startsAt)}</dd>
      <dt>{t('meetings.field.endsAt')}</dt>
      <dd>{formatDateTime(m.endsAt)}</dd>
      <dt>{t('meetings.field.description')}</dt>
      <dd class="pre-line">{m.description || '—'}</dd>
    </dl>
  );
}
