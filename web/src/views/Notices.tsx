import { useEffect, useState } from 'preact/hooks';
import type { DocumentNotification, ReminderNotice } from '@diemcau/shared';
import { request } from '../lib/api.ts';
import { formatDateTime, t } from '../lib/i18n.ts';
import { onBroadcast } from '../lib/socket.ts';

type Notice = { kind: 'reminder'; r: ReminderNotice } | { kind: 'document'; d: DocumentNotification };
const keyOf = (n: Notice) => (n.kind === 'reminder' ? `r${n.r.id}` : `d${n.d.id}`);

/**
 * What happened while the user was away, shown on the home page after sign-in:
 * reminders before their meetings and newly published materials, until
 * dismissed. New ones arrive live (`meeting:reminded`, `document:published`).
 */
export function Notices() {
  const [items, setItems] = useState<Notice[]>([]);
  const documents = () => request<DocumentNotification[]>('GET', '/api/documents/notifications').then((ds) => ds.map((d): Notice => ({ kind: 'document', d })));
  // Notices are a convenience: the page works without them, so a failed fetch is dropped.
  const load = () =>
    Promise.all([request<ReminderNotice[]>('GET', '/api/reminders'), documents()])
      .then(([rs, ds]) => setItems([...rs.map((r): Notice => ({ kind: 'reminder', r })), ...ds]))
      .catch(() => {});
  // The published event carries the document, not the stored notice: refetch the documents' notices, keep the reminders.
  const reloadDocuments = () =>
    documents()
      .then((ds) => setItems((xs) => [...xs.filter((x) => x.kind === 'reminder'), ...ds]))
      .catch(() => {});
  useEffect(() => {
    void load();
    const offReminder = onBroadcast('meeting:reminded', (r) => setItems((xs) => [{ kind: 'reminder', r }, ...xs.filter((x) => keyOf(x) !== `r${r.id}`)]));
    const offDoc = onBroadcast('document:published', () => void reloadDocuments());
    return () => {
      offReminder();
      offDoc();
    };
  }, []);
  if (!items.length) return null;
  const dismiss = async () => {
    const reminders = items.flatMap((n) => (n.kind === 'reminder' ? [n.r.id] : []));
    const documents = items.flatMap((n) => (n.kind === 'document' ? [n.d.id] : []));
    await Promise.all([
      reminders.length ? request('POST', '/api/reminders/seen', { ids: reminders }) : null,
      documents.length ? request('POST', '/api/documents/notifications/seen', { ids: documents }) : null,
    ]).catch(() => {});
    setItems([]);
  };
  return (
    <section class="notices" aria-labelledby="notices-title" aria-live="polite">
      <h2 id="notices-title">{t('notices.title')}</h2>
      <ul class="list">
        {items.map((n) => (
          <li key={keyOf(n)} class="list-row">
            {n.kind === 'reminder' ? (
              <div class="grow">
                <div class="list-title">{t('notices.reminder', { title: n.r.meetingTitle })}</div>
                <div class="muted">{t('notices.when', { at: formatDateTime(n.r.startsAt), place: n.r.place })}</div>
              </div>
            ) : (
              <div class="grow">
                <div class="list-title">{t('notices.document', { title: n.d.title })}</div>
                <div class="muted">{n.d.meetingTitle}</div>
              </div>
            )}
          </li>
        ))}
      </ul>
      <button type="button" class="btn btn-ghost" onClick={() => void dismiss()}>
        {t('notices.dismiss')}
      </button>
    </section>
  );
}
