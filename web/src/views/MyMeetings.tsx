import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { formatDateTime, t } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { useStore } from '../lib/store.ts';
import { session } from '../lib/session.ts';
import { useAsync } from '../lib/use-async.ts';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { StatusTag } from './MeetingsList.tsx';
import { liveViewFor } from './meeting-links.ts';
import { Notices } from './Notices.tsx';
import { usePageTitle } from '../lib/page-title.ts';

/**
 * Operators, delegates and observers: the meetings they are invited to. With
 * exactly one meeting live, go straight into it (one step fewer for the elderly).
 */
export function MyMeetings() {
  usePageTitle(t('home.myMeetings'));
  const me = useStore(session);
  const list = useAsync(() => api.meetings.list(), []);
  const visible = (list.data ?? []).filter((m) => m.status === 'live' || m.status === 'scheduled').sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const live = visible.filter((m) => m.status === 'live');
  useEffect(() => {
    if (me && live.length === 1) navigate(liveViewFor(me.user.role, live[0]!.id), { replace: true });
  }, [me, live.length === 1 ? live[0]!.id : 0]);
  if (!me) return null;
  return (
    <main id="main" class="page">
      <h1>{t('home.myMeetings')}</h1>
      <Notices />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? (
        <Loading />
      ) : visible.length === 0 ? (
        <p class="muted">{t('home.noMeetings')}</p>
      ) : (
        <ul class="list">
          {visible.map((m) => (
            <li key={m.id} class="list-row">
              <div class="grow">
                <div class="list-title">{m.title}</div>
                <div class="muted">{formatDateTime(m.startsAt)}</div>
              </div>
              <StatusTag status={m.status} />
              <a class="btn btn-primary" href={liveViewFor(me.user.role, m.id)}>
                {t('home.join')}
              </a>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
