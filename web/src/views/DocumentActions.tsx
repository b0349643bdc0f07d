import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgendaItem } from '@diemcau/shared';
import { documentsApi, lowerClassifications, type Classification, type DocumentInfo } from '../lib/documents-api.ts';
import { t } from '../lib/i18n.ts';
import { useAction } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, ProgressBar } from '../components/ui.tsx';
import { AudiencePicker, audienceBody, DEFAULT_AUDIENCE, type Audience } from './AudiencePicker.tsx';
import type { BridgePoint } from '@diemcau/shared';

/** Uploads a new version of a document; it keeps the document's classification. */
export function NewVersion({ meetingId, doc, onDone }: { meetingId: number; doc: DocumentInfo; onDone(): void }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The file picker appears on demand, so the page has one file input (the upload form's) until asked.
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const send = async (file: File) => {
    setError(null);
    setProgress(0);
    try {
      await documentsApi.upload(meetingId, file, {}, setProgress, doc.id).promise;
      setOpen(false);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
      if (input.current) input.current.value = '';
    }
  };
  if (!open) {
    return (
      <Button data-action="doc-new-version" onClick={() => setOpen(true)}>
        {t('docs.newVersion')}
      </Button>
    );
  }
  return (
    <div class="stack-sm">
      <label>
        {t('docs.newVersion')}
        <input
          ref={input}
          type="file"
          accept=".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.png,.jpg,.jpeg"
          disabled={progress !== null}
          aria-label={`${t('docs.newVersion')}: ${doc.title}`}
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) void send(f);
          }}
        />
      </label>
      {doc.classification === 'confidential' && <p class="muted">{t('docs.newVersionKeepsClass')}</p>}
      {progress !== null && <ProgressBar value={progress} label={t('docs.uploading')} />}
      <ErrorBox error={error} />
    </div>
  );
}

/** Declassification: a separate, explicit act with a reason, recorded in the audit log. */
export function Declassify({ meetingId, doc, bridges, onDone }: { meetingId: number; doc: DocumentInfo; bridges: BridgePoint[]; onDone(): void }) {
  const targets = lowerClassifications(doc.classification);
  const [to, setTo] = useState<Classification>(targets[targets.length - 1] ?? 'public_to_meeting');
  const [reason, setReason] = useState('');
  const [audience, setAudience] = useState<Audience>(DEFAULT_AUDIENCE);
  const act = useAction();
  if (!targets.length) return null;
  const submit = (e: Event) => {
    e.preventDefault();
    const body = { classification: to, reason: reason.trim(), ...(to === 'restricted' && audienceBody(audience)) };
    void act.run(() => documentsApi.declassify(meetingId, doc.id, body)).then(onDone);
  };
  return (
    <details class="declassify">
      <summary data-action="doc-declassify">{t('docs.declassify')}</summary>
      <form class="stack-sm" onSubmit={submit}>
        <p class="muted">{doc.classification === 'confidential' ? t('docs.declassifyHintConfidential') : t('docs.declassifyHint')}</p>
        <Field label={t('docs.declassifyTo')}>
          <select value={to} onChange={(e) => setTo(e.currentTarget.value as Classification)}>
            {targets.map((c) => (
              <option key={c} value={c}>
                {t(`docs.class.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        {to === 'restricted' && <AudiencePicker name={`declassify-${doc.id}`} value={audience} bridges={bridges} onChange={setAudience} />}
        <Field label={t('docs.declassifyReason')}>
          <textarea required minLength={3} maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={act.error} />
        <Button type="submit" variant="danger" disabled={act.busy || reason.trim().length < 3}>
          {t('docs.declassifyBtn')}
        </Button>
      </form>
    </details>
  );
}

/** Which agenda items of this meeting list the document. */
export function AgendaLinks({ meetingId, doc, items, onDone }: { meetingId: number; doc: DocumentInfo; items: AgendaItem[]; onDone(): void }) {
  const act = useAction();
  // The boxes show what was just ticked while the server is asked: re-rendered (busy) from the
  // old list, a controlled checkbox would spring back until the reload. The reload, after
  // success or refusal alike, brings the server's list back in.
  const [linked, setLinked] = useState(doc.agendaItemIds);
  useEffect(() => setLinked(doc.agendaItemIds), [doc.agendaItemIds]);
  if (!items.length) return null;
  const toggle = (itemId: number, attached: boolean) => {
    setLinked((l) => (attached ? [...l.filter((x) => x !== itemId), itemId] : l.filter((x) => x !== itemId)));
    void act.run(() => documentsApi.attach(meetingId, doc.id, itemId, attached)).then(onDone);
  };
  return (
    <fieldset class="agenda-links">
      <legend>{t('docs.agendaItems')}</legend>
      {items.map((it, i) => (
        <label key={it.id} class="check">
          <input
            type="checkbox"
            checked={linked.includes(it.id)}
            disabled={act.busy}
            data-action="doc-attach"
            onChange={(e) => toggle(it.id, e.currentTarget.checked)}
          />{' '}
          {i + 1}. {it.title}
        </label>
      ))}
      <ErrorBox error={act.error} />
    </fieldset>
  );
}
