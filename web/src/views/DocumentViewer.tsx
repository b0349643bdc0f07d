import { useState } from 'preact/hooks';
import { documentsApi } from '../lib/documents-api.ts';
import { t } from '../lib/i18n.ts';
import { useAsync } from '../lib/use-async.ts';
import { Button, PagePending } from '../components/ui.tsx';
import { useViaQr } from '../lib/session.ts';
import { SignInToView } from './DelegateDocuments.tsx';
import { usePageTitle } from '../lib/page-title.ts';

/**
 * Confidential viewer: one watermarked page image at a time, rendered by the
 * server for this viewer. Large page buttons; pinch-zoom works on the image.
 */
export function DocumentViewer({ meetingId, docId }: { meetingId: number; docId: number }) {
  const detail = useAsync(() => documentsApi.get(meetingId, docId), [meetingId, docId]);
  const [page, setPage] = useState(1);
  const viaQr = useViaQr();
  const doc = detail.data?.document;
  usePageTitle(doc?.title, t('title.document'));
  const width = Math.min(2000, Math.max(480, Math.round(window.innerWidth * Math.min(2, window.devicePixelRatio || 1))));
  if (!doc) return <PagePending error={detail.error} onRetry={detail.reload} />;
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
