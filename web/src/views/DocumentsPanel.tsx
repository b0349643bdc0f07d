import { useRef, useState } from 'preact/hooks';
import { documentsApi, humanSize, type Classification, type DocumentInfo } from '../lib/documents-api.ts';
import { api, type UploadHandle } from '../lib/api.ts';
import { t } from '../lib/i18n.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, Loading, ProgressBar } from '../components/ui.tsx';
import { Icon } from '../components/Icon.tsx';
import type { AgendaItem, BridgePoint } from '@diemcau/shared';
import { AgendaLinks, Declassify, NewVersion } from './DocumentActions.tsx';
import { QrPanel } from './QrPanel.tsx';
import { AudiencePicker, audienceBody, DEFAULT_AUDIENCE, type Audience } from './AudiencePicker.tsx';

/** Secretariat: upload with a progress bar, classify, publish; and the printable QR sheet. */
/** `readOnly`: an ended meeting's documents and QR codes no longer change (the server refuses too). */
export function DocumentsPanel({ meetingId, readOnly = false }: { meetingId: number; readOnly?: boolean }) {
  const docs = useAsync(() => documentsApi.list(meetingId), [meetingId]);
  // The invited bridge points' units are what a restricted document can be addressed to.
  const invitation = useAsync(() => api.meetings.invitation(meetingId), [meetingId]);
  const bridges = invitation.data?.bridgePoints ?? [];
  const agenda = useAsync(() => api.agenda.list(meetingId), [meetingId]);
  const items = agenda.data ?? [];
  return (
    <section class="stack" aria-labelledby="docs-h">
      <div class="page-head">
        <h2 id="docs-h">{t('meetings.tab.documents')}</h2>
        <a class="btn" href={documentsApi.qrSheetUrl(meetingId)} target="_blank" rel="noopener" data-action="qr-sheet">
          {t('meetings.printQr')}
        </a>
      </div>
      {!readOnly && <UploadForm meetingId={meetingId} bridges={bridges} onUploaded={docs.reload} />}
      <ErrorBox error={docs.error} onRetry={docs.reload} />
      {docs.loading && !docs.data ? (
        <Loading />
      ) : (docs.data ?? []).length === 0 ? (
        <p class="muted">{t('docs.none')}</p>
      ) : (
        <ul class="doc-list">
          {docs.data!.map((d) => (
            <DocRow key={d.id} readOnly={readOnly} meetingId={meetingId} doc={d} bridges={bridges} items={items} onChanged={docs.reload} />
          ))}
        </ul>
      )}
      <fieldset disabled={readOnly} class="plain-fieldset">
        <QrPanel meetingId={meetingId} />
      </fieldset>
    </section>
  );
}

const CLASSES: Classification[] = ['public_to_meeting', 'restricted', 'confidential'];

export function ClassTag({ c }: { c: Classification }) {
  return c === 'confidential' ? (
    <span class="tag tag-confidential">
      <Icon name="lock" /> {t('docs.class.confidential')}
    </span>
  ) : (
    <span class="tag tag-draft">{t(`docs.class.${c}`)}</span>
  );
}

/** Classification choices; from `min` upwards when editing (lowering is the separate declassify action). */
function ClassOptions({ min }: { min?: Classification }) {
  return (
    <>
      {CLASSES.slice(min ? CLASSES.indexOf(min) : 0).map((c) => (
        <option key={c} value={c}>
          {t(`docs.class.${c}`)}
        </option>
      ))}
    </>
  );
}

function DocRow({ meetingId, doc, bridges, items, onChanged, readOnly }: { meetingId: number; doc: DocumentInfo; bridges: BridgePoint[]; items: AgendaItem[]; onChanged(): void; readOnly: boolean }) {
  const act = useAction();
  const published = doc.status === 'published';
  // Read-only: shown as published is (no classification select, no audience picker, no actions).
  const editable = !published && !readOnly;
  return (
    <li class="doc-row" data-document={doc.id} data-status={doc.status}>
      <Icon name="doc" />
      <div class="grow">
        <div class="list-title">{doc.title}</div>
        <div class="muted">
          {doc.fileName} · {humanSize(doc.size)}
          {doc.pages ? ` · ${t('docs.pages', { n: doc.pages })}` : ''}
          {doc.version > 1 ? ` · ${t('docs.version', { n: doc.version })}` : ''}
        </div>
      </div>
      <ClassTag c={doc.classification} />
      <span class={`tag ${published ? 'tag-live' : 'tag-draft'}`}>{published ? t('docs.published') : t('docs.draft')}</span>
      {editable && (
        <label class="inline-field">
          <span class="sr-only">{t('docs.classification')}</span>
          <select
            value={doc.classification}
            aria-label={`${t('docs.classification')}: ${doc.title}`}
            disabled={act.busy}
            onChange={(e) => {
              const classification = e.currentTarget.value as Classification;
              const audience = classification === 'restricted' && doc.audienceRoles.length === 0 && doc.audienceUnitIds.length === 0 ? audienceBody(DEFAULT_AUDIENCE) : {};
              void act.run(() => documentsApi.update(meetingId, doc.id, { classification, ...audience })).then(onChanged);
            }}
          >
            <ClassOptions min={doc.classification} />
          </select>
        </label>
      )}
      {doc.classification === 'restricted' &&
        (!editable ? (
          <span class="muted">
            {t('docs.audience')}: {audienceLabel(doc, bridges)}
          </span>
        ) : (
          <AudiencePicker
            name={`doc-${doc.id}`}
            value={{ roles: doc.audienceRoles, unitIds: doc.audienceUnitIds }}
            bridges={bridges}
            disabled={act.busy}
            onChange={(a) => void act.run(() => documentsApi.update(meetingId, doc.id, audienceBody(a))).then(onChanged)}
          />
        ))}
      {editable && (
        <Button variant="primary" disabled={act.busy} data-action="doc-publish" onClick={() => void act.run(() => documentsApi.publish(meetingId, doc.id)).then(onChanged)}>
          {t('docs.publish')}
        </Button>
      )}
      <ErrorBox error={act.error} />
      {!readOnly && (
        <div class="doc-actions stack-sm">
          <NewVersion meetingId={meetingId} doc={doc} onDone={onChanged} />
          <AgendaLinks meetingId={meetingId} doc={doc} items={items} onDone={onChanged} />
          <Declassify meetingId={meetingId} doc={doc} bridges={bridges} onDone={onChanged} />
        </div>
      )}
    </li>
  );
}

/** "Đại biểu, Huyện A" for a published restricted document. */
function audienceLabel(doc: DocumentInfo, bridges: BridgePoint[]): string {
  const unitName = (id: number) => bridges.find((b) => b.unitId === id)?.name ?? `#${id}`;
  return [...doc.audienceRoles.map((r) => t(`role.${r}`)), ...doc.audienceUnitIds.map(unitName)].join(', ');
}

function UploadForm({ meetingId, bridges, onUploaded }: { meetingId: number; bridges: BridgePoint[]; onUploaded(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [classification, setClassification] = useState<Classification>('public_to_meeting');
  const [audience, setAudience] = useState<Audience>(DEFAULT_AUDIENCE);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const handle = useRef<UploadHandle<DocumentInfo> | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setDone(false);
    setProgress(0);
    const h = documentsApi.upload(meetingId, file, { title: title.trim() || file.name.replace(/\.[^.]+$/, ''), classification, ...(classification === 'restricted' && audienceBody(audience)) }, setProgress);
    handle.current = h;
    try {
      await h.promise;
      setDone(true);
      setFile(null);
      setTitle('');
      if (input.current) input.current.value = '';
      onUploaded();
    } catch (err) {
      setError(err);
    } finally {
      handle.current = null;
      setProgress(null);
    }
  };

  const busy = progress !== null;
  return (
    <form class="card stack" onSubmit={submit} aria-label={t('docs.upload')}>
      <h3>{t('docs.upload')}</h3>
      <Field label={t('docs.file')} hint={`${t('docs.fileHint')} ${t('docs.activeContentHint')}`}>
        <input
          ref={input}
          type="file"
          name="file"
          required
          accept=".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.png,.jpg,.jpeg"
          disabled={busy}
          onChange={(e) => {
            const f = e.currentTarget.files?.[0] ?? null;
            setFile(f);
            if (f && !title) setTitle(f.name.replace(/\.[^.]+$/, ''));
          }}
        />
      </Field>
      <div class="row-2">
        <Field label={t('docs.docTitle')}>
          <input name="docTitle" maxLength={300} value={title} disabled={busy} onInput={(e) => setTitle(e.currentTarget.value)} />
        </Field>
        <Field label={t('docs.classification')}>
          <select name="classification" value={classification} disabled={busy} onChange={(e) => setClassification(e.currentTarget.value as Classification)}>
            <ClassOptions />
          </select>
        </Field>
      </div>
      {classification === 'restricted' && <AudiencePicker name="upload" value={audience} bridges={bridges} disabled={busy} onChange={setAudience} />}
      {progress !== null && <ProgressBar value={progress} label={t('docs.uploading')} />}
      <ErrorBox error={error} />
      {done && (
        <p class="alert alert-ok" role="status">
          {t('docs.uploaded')}
        </p>
      )}
      <div class="actions">
        <Button type="submit" variant="primary" disabled={busy || !file} data-action="doc-upload">
          {t('docs.uploadBtn')}
        </Button>
        {busy && <Button onClick={() => handle.current?.abort()}>{t('common.cancel')}</Button>}
      </div>
    </form>
  );
}
