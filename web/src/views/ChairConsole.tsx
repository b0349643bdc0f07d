import { useEffect, useMemo, useState } from 'preact/hooks';
import { meetingOver, type SourceRef } from '@diemcau/shared';
import type { MediaSession } from '../live/media-client.ts';
import { api } from '../lib/api.ts';
import { send } from '../lib/socket.ts';
import { t } from '../lib/i18n.ts';
import { Button, ErrorBox, PagePending } from '../components/ui.tsx';
import { useAction } from '../lib/use-async.ts';
import { useLiveMeeting } from '../live/use-live-meeting.ts';
import { AgendaNow } from '../live/widgets.tsx';
import { MainStage } from '../live/MainStage.tsx';
import { useMediaSession } from '../live/use-media.ts';
import type { LiveState } from '../live/state.ts';
import { StatusTag } from './MeetingsList.tsx';
import { AgendaControl } from './console/AgendaControl.tsx';
import { FloorControl } from './console/FloorControl.tsx';
import { PollControl } from './console/PollControl.tsx';
import { BridgeGrid } from './console/BridgeGrid.tsx';
import { RollCallPanel } from './console/RollCallPanel.tsx';
import { ReceiptsPanel } from './console/ReceiptsPanel.tsx';
import { WorkersPanel } from './console/WorkersPanel.tsx';
import { LevelStrip } from './console/LevelStrip.tsx';
import { filterContext, type BridgeFilter } from './console/bridge-filter.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { RecordingControl } from '../live/recording.tsx';

/** Start/end the meeting from the console (the conference room owns the live status). */
function MeetingBar({ s }: { s: LiveState }) {
  const act = useAction();
  const meetingId = s.meeting.id;
  const over = meetingOver(s.meeting.status);
  const start = () =>
    act.run(async () => {
      // A draft must be scheduled first; doing it here saves the chair a trip to the editor.
      if (s.meeting.status === 'draft') await api.meetings.transition(meetingId, 'scheduled');
      await send('meeting:start', { meetingId });
    });
  return (
    <div class="meeting-bar">
      <h1 class="grow">{s.meeting.title}</h1>
      <StatusTag status={s.meeting.status} />
      {s.meeting.status === 'live' && <RecordingControl meetingId={meetingId} />}
      {(s.meeting.status === 'draft' || s.meeting.status === 'scheduled') && (
        <Button variant="primary" class="btn-big" disabled={act.busy} onClick={() => void start()} data-action="meeting-start">
          ▶ {t('meetings.start')}
        </Button>
      )}
      {s.meeting.status === 'live' && (
        <Button variant="danger" disabled={act.busy} onClick={() => window.confirm(t('meetings.confirmEnd')) && void act.run(() => send('meeting:end', { meetingId }))}>
          {t('meetings.end')}
        </Button>
      )}
      {over && (
        <a class="btn btn-primary" href={`/meetings/${meetingId}/minutes`}>
          {t('minutes.link')}
        </a>
      )}
      <a class="btn btn-ghost" href={`/meetings/${meetingId}`}>
        {over ? t('ended.view') : t('common.edit')}
      </a>
      <ErrorBox error={act.error} />
    </div>
  );
}

const stageKey = (id: number) => `diemcau.stage.${id}`;

/**
 * The server keeps the stage choice in memory; after a restart it is empty.
 * The console remembers the chair's last choice and puts it back once its
 * media session is up again, so the bridges' screens recover without a click.
 */
function useStageMemory(s: LiveState | null, session: MediaSession | null): void {
  const stage = s?.media.stage.source ?? null;
  const id = s?.meeting.id ?? 0;
  useEffect(() => {
    if (stage && id) sessionStorage.setItem(stageKey(id), JSON.stringify(stage));
  }, [id, stage && JSON.stringify(stage)]);
  useEffect(() => {
    if (!session || !id || stage || !s?.you?.chair) return;
    const saved = sessionStorage.getItem(stageKey(id));
    if (saved) send('stage:set', { source: JSON.parse(saved) as SourceRef }).catch(() => {});
  }, [session]);
}

/** The chair's console: stage and grid on the left, controls on the right. */
export function ChairConsole({ id }: { id: number }) {
  const live = useLiveMeeting(id);
  const s = live.state;
  const [gridPage, setGridPage] = useState(0);
  const [filter, setFilter] = useState<BridgeFilter>('all');
  // The chair also receives a page of bridge cameras, at the lowest simulcast layer.
  const session = useMediaSession(s, null, { follow: { grid: true, gridPage } });
  useStageMemory(s, session);
  // Derived once per change of what it reads, shared by the strip and the grid.
  const ctx = useMemo(() => (s ? filterContext(s) : null), [s?.presence, s?.floor, s?.media.links]);
  usePageTitle(s?.meeting.title, t('title.console'));
  if (!s || !ctx) return <PagePending error={live.error} />;
  const chair = s.you?.chair ?? true;
  return (
    <main id="main" class="console" data-view="console" data-meeting={id}>
      <MeetingBar s={s} />
      <LevelStrip s={s} ctx={ctx} />
      <div class="console-grid">
        <div class="col-main stack">
          <div class="stage-wrap">
            <MainStage s={s} session={session} />
            <div class="stage-overlay">
              <AgendaNow s={s} />
            </div>
          </div>
          <BridgeGrid s={s} ctx={ctx} chair={chair} filter={filter} onFilter={setFilter} session={session} page={gridPage} onPage={setGridPage} />
        </div>
        <div class="col-side stack">
          <AgendaControl s={s} />
          <FloorControl s={s} />
          <PollControl s={s} patch={live.patch} />
          <RollCallPanel
            s={s}
            chair={chair}
            onShowUnconfirmed={() => {
              setFilter('unconfirmed');
              document.getElementById('grid-h')?.scrollIntoView({ block: 'start' });
            }}
          />
          <ReceiptsPanel s={s} />
          <WorkersPanel />
        </div>
      </div>
    </main>
  );
}
