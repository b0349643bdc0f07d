import { useEffect, useRef } from 'preact/hooks';
import { send } from '../lib/socket.ts';
import { t } from '../lib/i18n.ts';
import { PagePending } from '../components/ui.tsx';
import { useLiveMeeting } from '../live/use-live-meeting.ts';
import { RecordingBadge, useRecordingState } from '../live/recording.tsx';
import { AgendaNow, FloorAsk, SpeakerBox } from '../live/widgets.tsx';
import type { LiveState } from '../live/state.ts';
import { DelegatePoll } from './DelegatePoll.tsx';
import { DelegateDocuments } from './DelegateDocuments.tsx';
import { useMediaSession } from '../live/use-media.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** Publish the microphone only: a delegate's phone given the floor, or a bridge in listen-only mode. */
export const MIC_ONLY = { video: false, audio: true };

function AskToSpeak({ s }: { s: LiveState }) {
  const you = s.you;
  if (!you) return null;
  return <FloorAsk s={s} class="stack-sm" label="floor.ask" action="ask-to-speak" mine={(r) => r.userId === you.userId} />;
}

/** The delegate's phone: what is on now, the ballot, documents, the agenda. */
export function DelegateView({ id }: { id: number }) {
  const live = useLiveMeeting(id);
  const rec = useRecordingState(id);
  const s = live.state;
  const checkedIn = useRef(false);
  // A delegate attending from their own phone speaks through it once given the floor.
  const hasFloor = !!s?.you && s.floor.speaker?.userId === s.you.userId && s.floor.speaker.bridgePointId === null;
  useMediaSession(s, MIC_ONLY, { enabled: hasFloor });
  usePageTitle(s?.meeting.title, t('title.delegate'));

  // Opening the meeting page on one's own phone is checking in (present online),
  // unless the bridge operator already marked the delegate in the hall.
  useEffect(() => {
    if (!s?.you || checkedIn.current || s.meeting.status !== 'live') return;
    const me = s.presence.delegates.find((d) => d.userId === s.you!.userId);
    if (me && me.status !== 'unknown') return;
    checkedIn.current = true;
    send('presence:set-delegate', { meetingId: id, status: 'present_online' }).catch(() => {
      checkedIn.current = false;
    });
  }, [s?.you, s?.meeting.status, s?.presence.delegates]);

  if (!s) return <PagePending error={live.error} />;
  return (
    <main id="main" class="phone" data-view="delegate" data-meeting={id}>
      <h1 class="phone-title">{s.meeting.title}</h1>
      <RecordingBadge state={rec} />
      {s.meeting.status !== 'live' && <p class="callout">{t(`status.${s.meeting.status}`)}</p>}
      <section class="card now-card" aria-label={t('agenda.now')}>
        <AgendaNow s={s} />
        <SpeakerBox s={s} />
      </section>
      <DelegatePoll s={s} onVoted={() => live.patch((x) => ({ ...x, poll: { ...x.poll, voted: true } }))} />
      <AskToSpeak s={s} />
      <DelegateDocuments s={s} />
      <section class="card" aria-labelledby="dag-h">
        <h2 id="dag-h">{t('agenda.title')}</h2>
        <ol class="phone-agenda">
          {s.agenda.items.map((it) => (
            <li key={it.id} class={it.id === s.agenda.currentItemId ? 'current' : ''} aria-current={it.id === s.agenda.currentItemId ? 'step' : undefined}>
              <strong>{it.title}</strong>
              {it.presenter && <div class="muted">{it.presenter}</div>}
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
