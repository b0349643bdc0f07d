import { byAgendaItem } from '@diemcau/shared';
import { documentsApi, humanSize } from '../lib/documents-api.ts';
import { t } from '../lib/i18n.ts';
import { Icon } from '../components/Icon.tsx';
import type { LiveState } from '../live/state.ts';
import { navigate } from '../lib/router.ts';
import { loginUrlFor } from '../lib/return-to.ts';
import { logout, useViaQr } from '../lib/session.ts';

/**
 * A QR-opened session may not see confidential pages (a QR code is a link):
 * this signs out and asks for the password, then returns to the viewer.
 */
export function SignInToView({ href }: { href: string }) {
  return (
    <button
      type="button"
      class="btn btn-primary btn-block"
      onClick={() => void logout().then(() => navigate(loginUrlFor(href), { replace: true }))}
    >
      <Icon name="lock" /> {t('docs.signInToView')}
    </button>
  );
}

/**
 * The delegate's documents, under their agenda items: ordinary ones download;
 * confidential ones (and versions that ever were) open only in the
 * watermarked viewer (they never leave the server as a file).
 */
export function DelegateDocuments({ s }: { s: LiveState }) {
  const meetingId = s.meeting.id;
  // From the join snapshot, kept current by `document:published`.
  const list = s.documents.filter((d) => d.status === 'published');
  const groups = byAgendaItem(list, s.agenda.items);
  const viaQr = useViaQr();
  return (
    <section class="card stack-sm" aria-labelledby="ddoc-h">
      <h2 id="ddoc-h">{t('docs.title')}</h2>
      {list.length === 0 ? (
        <p class="muted">{t('docs.none')}</p>
      ) : (
        groups.map((g) => (
          <div key={g.itemId ?? 0} class="stack-sm" data-agenda-item={g.itemId ?? ''}>
            {groups.length > 1 || g.itemId != null ? <h3 class="list-title">{g.title ?? t('docs.otherDocuments')}</h3> : null}
            <ul class="doc-list">
              {g.docs.map((d) => (
                <li key={d.id} class="doc-row" data-document={d.id}>
                  <div class="grow">
                    <div class="list-title">{d.title}</div>
                    <div class="muted">
                      {humanSize(d.size)}
                      {d.pages ? ` · ${t('docs.pages', { n: d.pages })}` : ''}
                    </div>
                  </div>
                  {!d.downloadable && viaQr ? (
                    <SignInToView href={`/meetings/${meetingId}/documents/${d.id}`} />
                  ) : !d.downloadable ? (
                    <a class="btn btn-primary btn-block" href={`/meetings/${meetingId}/documents/${d.id}`}>
                      <Icon name="lock" /> {t('docs.view')}
                    </a>
                  ) : (
                    <a class="btn btn-primary btn-block" href={documentsApi.downloadUrl(meetingId, d.id)} download={d.fileName}>
                      {t('docs.download')}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}
