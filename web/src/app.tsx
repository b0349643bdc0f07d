import { useEffect } from 'preact/hooks';
import { useStore } from './lib/store.ts';
import { lang, t } from './lib/i18n.ts';
import { match, navigate, queryParam, route } from './lib/router.ts';
import { loginUrlFor, safeReturnPath } from './lib/return-to.ts';
import { homeFor, isStaff, session } from './lib/session.ts';
import { Header } from './components/Header.tsx';
import { Loading } from './components/ui.tsx';
import { Login } from './views/Login.tsx';
import { MeetingsList } from './views/MeetingsList.tsx';
import { MeetingEditor } from './views/MeetingEditor.tsx';
import { MyMeetings } from './views/MyMeetings.tsx';
import { ChairConsole } from './views/ChairConsole.tsx';
import { BridgeScreen } from './views/BridgeScreen.tsx';
import { DelegateView } from './views/DelegateView.tsx';
import { DocumentViewer } from './views/DocumentViewer.tsx';
import { Account } from './views/Account.tsx';
import { AuditLog } from './views/AuditLog.tsx';
import { Reports } from './views/Reports.tsx';
import { Minutes } from './views/Minutes.tsx';
import { Archive } from './views/Archive.tsx';
import { RecordingPlayer } from './views/RecordingPlayer.tsx';

function NotFound() {
  return (
    <main id="main" class="page">
      <h1>{t('notFound.title')}</h1>
      <a class="btn btn-primary" href="/">
        {t('notFound.home')}
      </a>
    </main>
  );
}

/** Picks the view for the current path; unauthenticated users go to /login?next=… */
export function App() {
  useStore(lang); // re-render everything on language change
  const path = useStore(route);
  const me = useStore(session);
  const pathname = path.split('?')[0] ?? '/';

  useEffect(() => {
    // The route as it is now, not as this render saw it: effects run late, and a view may have navigated
    // meanwhile ("Đăng nhập để xem tài liệu mật" signs out, then goes to /login?next=<viewer>); acting on the
    // stale path would replace that page with /login?next=<the page it left>.
    const current = route.get();
    const currentPath = current.split('?')[0] ?? '/';
    if (me === null && currentPath !== '/login') navigate(loginUrlFor(current), { replace: true });
    // Already signed in (e.g. another tab): honour ?next= rather than dropping the page they asked for.
    if (me && currentPath === '/login') navigate(safeReturnPath(queryParam('next'), location.origin) ?? homeFor(me), { replace: true });
    if (me && currentPath === '/') navigate(homeFor(me), { replace: true });
  }, [me, path]);

  if (me === undefined) return <Loading />;
  if (me === null || pathname === '/login')
    return (
      <>
        <Header />
        <Login />
      </>
    );

  let p: Record<string, string> | null;
  let view;
  let screen = false;
  if ((p = match('/meetings/:id/console', path))) view = <ChairConsole id={Number(p.id)} />;
  else if ((p = match('/meetings/:id/bridge', path))) {
    view = <BridgeScreen id={Number(p.id)} />;
    screen = true;
  } else if ((p = match('/meetings/:id/delegate', path))) view = <DelegateView id={Number(p.id)} />;
  else if ((p = match('/meetings/:id/recordings', path))) view = <RecordingPlayer meetingId={Number(p.id)} />;
  else if ((p = match('/meetings/:id/documents/:docId', path))) view = <DocumentViewer meetingId={Number(p.id)} docId={Number(p.docId)} />;
  else if ((p = match('/meetings/:id/minutes', path)) && isStaff(me.user.role)) view = <Minutes id={Number(p.id)} />;
  else if ((p = match('/meetings/:id', path)) && isStaff(me.user.role)) view = <MeetingEditor id={Number(p.id)} />;
  else if (match('/meetings', path) && isStaff(me.user.role)) view = <MeetingsList />;
  else if (match('/reports', path) && isStaff(me.user.role)) view = <Reports />;
  else if (match('/archive', path) && isStaff(me.user.role)) view = <Archive />;
  else if (match('/my', path) || match('/meetings', path)) view = <MyMeetings />;
  else if (match('/account', path)) view = <Account />;
  else if (match('/audit', path) && me.user.role === 'admin') view = <AuditLog />;
  else view = <NotFound />;

  return (
    <div class={screen ? 'screen-root' : 'app-root'}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <Header compact={screen} />
      {view}
    </div>
  );
}
