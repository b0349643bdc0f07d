import { useState } from 'preact/hooks';
import { documentsApi } from '../lib/documents-api.ts';
import { t } from '../lib/i18n.ts';
import { useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Loading } from '../components/ui.tsx';
import { session } from '../lib/session.ts';
import { useStore } from '../lib/store.ts';
import { SignInToView } from './DelegateDocuments.tsx';

/**
 * Confidential viewer: one watermarked page image at a time, rendered by the
 * server for this viewer. Large page buttons; pinch-zoom works on the image.
 */
export function DocumentViewer({ meetingId, docId }: { meetingId: number; docId: number }) {
  const docs = useAsync(() => documentsApi.list(meetingId), [meetingId]);
  const [page, setPage] = useState(1);
  const viaQr = useStore(session)?.scopeMeetingId != null;
  const doc = docs.data?.find((d) => d.id === docId);
  const width = Math.min(2000, Math.max(480, Math.round(window.innerWidth * Math.min(2, window.devicePixelRatio || 1))));
  if (docs.loading && !docs.data) return <main id="main" class="page"><Loading /></main>;
  if (!doc)
    return (
      <main id="main" class="page">
        <ErrorBox error={docs.error ?? new Error('not found')} onRetry={docs.reload} />
      </main>
    );
  const pages = doc.pages ?? 1;
  if (viaQr)
    return (
      <main id="main" class="page stack-sm" data-view="viewer">
        <h1 class="phone-title">{doc.title}</h1>
        <p class="callout">{t('docs.qrNoConfidential')}</p>
        <SignInToView href={`/meetings/${meetingId}/documents/${docId}`} />
      </main>
    );
  return (
    <main id="main" class="viewer" data-view="viewer">
      <p>
        <a href={`/meetings/${meetingId}/delegate`}>← {t('common.back')}</a>
      </p>
      <h1 class="phone-title">{doc.title}</h1>
      <p class="callout">{t('docs.watermarkNote')}</p>
      <div class="viewer-nav actions">
        <Button class="btn-big" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          ◂ {t('docs.prev')}
        </Button>
        <span class="viewer-page">{t('docs.pageOf', { n: page, total: pages })}</span>
        <Button class="btn-big" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          {t('docs.next')} ▸
        </Button>
      </div>
      <img class="viewer-img" src={documentsApi.pageUrl(meetingId, docId, page, width)} alt={t('docs.pageOf', { n: page, total: pages })} draggable={false} onContextMenu={(e) => e.preventDefault()} />
    </main>
  );
}
