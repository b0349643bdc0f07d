import { t } from '../lib/i18n.ts';

/** Documents: upload with progress, classification, publish (filled in when the documents API lands). */
export function DocumentsPanel({ meetingId }: { meetingId: number }) {
  return (
    <section class="stack" data-meeting={meetingId}>
      <h2>{t('meetings.tab.documents')}</h2>
    </section>
  );
}
