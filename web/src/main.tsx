import { render } from 'preact';
import './styles.css';
import './console.css';
import { App } from './app.tsx';
import { setUnauthenticatedHandler } from './lib/api.ts';
import { setDeniedHandler } from './lib/socket.ts';
import { loadSession, session } from './lib/session.ts';

// An expired session anywhere sends the user back to the login page (App redirects on null).
setUnauthenticatedHandler(() => session.set(null));
setDeniedHandler((code) => {
  if (code === 'UNAUTHENTICATED') session.set(null);
});

void loadSession();
render(<App />, document.getElementById('app')!);
