import { documentsApi } from '../../lib/documents-api.ts';
import { t } from '../../lib/i18n.ts';
import { useAsync } from '../../lib/use-async.ts';
import { ErrorBox } from '../../components/ui.tsx';
import type { LiveState } from '../../live/state.ts';

/** Who has received the documents: per document and per bridge point. */
export function ReceiptsPanel({ s }: { s: LiveState }) {
  const meetingId = s.meeting.id;
  // Reloaded on every (re)join, every `document:received` and every newly published document.
  const r = useAsync(() => documentsApi.receipts(meetingId), [meetingId, s.joinId, s.receiptsRev, s.documents.length]);
  const data = r.data;
  const total = data?.byDocument.reduce((n, d) => n + d.received, 0) ?? 0;
  return (
    <section class="panel" aria-labelledby="rcpt-h" data-receipts={total}>
      <h2 id="rcpt-h">{t('receipts.title')}</h2>
      {r.error && !data ? <ErrorBox error={r.error} onRetry={r.reload} /> : null}
      {data && data.byDocument.length === 0 && <p class="muted">{t('receipts.none')}</p>}
      {data && data.byDocument.length > 0 && (
        <>
          <table class="counts">
            <caption class="sr-only">{t('receipts.byDocument')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('receipts.byDocument')}</th>
                <th scope="col">{t('receipts.received')}</th>
              </tr>
            </thead>
            <tbody>
              {data.byDocument.map((d) => (
                <tr key={d.documentId} data-document={d.documentId} data-received={d.received}>
                  <th scope="row">{d.title}</th>
                  <td>
                    {d.received}/{d.expected}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="counts">
            <caption class="sr-only">{t('receipts.byBridge')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('receipts.byBridge')}</th>
                <th scope="col">{t('receipts.received')}</th>
              </tr>
            </thead>
            <tbody>
              {data.byBridgePoint.map((b) => (
                <tr key={b.bridgePointId ?? 0} data-bridge={b.bridgePointId ?? ''}>
                  <th scope="row">{b.name}</th>
                  <td>
                    {b.received}/{b.expected}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
