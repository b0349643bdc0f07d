/**
 * The minutes of an ended meeting for the secretariat: what the record says
 * (attendance, items, speakers, polls), the fields they type (header facts and
 * conclusions), finalising with a digital signature, the files and exports,
 * and amendments. Each field is saved with the version it was edited from, so
 * two secretaries typing at once are merged by the server, not overwritten.
 */
import { useState } from 'preact/hooks';
import { request } from '../lib/api.ts';
import { t, type MsgKey } from '../lib/i18n.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, PagePending } from '../components/ui.tsx';

interface Tally {
  invited: number;
  presentOnline: number;
  presentInPerson: number;
  absent: number;
  unreported: number;
}
interface MinutesView {
  minutes: { version: number; status: 'draft' | 'final'; changeNote: string | null; pdfSha256: string | null };
  versions: { version: number; status: string; finalisedAt: string | null }[];
  fields: Record<string, { value: string; version: number }>;
  model: {
    meeting: { title: string };
    attendance: { overall: Tally; absentees: { fullName: string; bridge: string; reason: string }[] };
    items: { id: number; number: number; title: string; plannedMinutes: number; usedMinutes: number; status: string; speakers: { name: string; bridge: string }[] }[];
    polls: { number: number; title: string; voted: number; eligible: number; options: { label: string; votes: number }[]; outcomeText: string }[];
  };
}

const EXPORTS = ['attendance', 'bridges', 'speakers', 'polls', 'receipts', 'views'] as const;

/** One typed field, saved on demand with its base version; a merged answer replaces the text. */
function FieldEditor(props: { meetingId: number; field: string; label: string; multiline: boolean; initial: { value: string; version: number } | undefined; readOnly: boolean }) {
  const [value, setValue] = useState(props.initial?.value ?? '');
  const [base, setBase] = useState(props.initial?.version ?? 0);
  const [note, setNote] = useState<'saved' | 'merged' | null>(null);
  const save = useAction();
  const dirty = value !== (props.initial?.value ?? '') || note === null;
  const submit = () =>
    save.run(async () => {
      const r = await request<{ value: string; version: number; merged: boolean }>('PUT', `/api/meetings/${props.meetingId}/minutes/fields/${props.field}`, { value, baseVersion: base });
      setValue(r.value);
      setBase(r.version);
      setNote(r.merged ? 'merged' : 'saved');
    });
  const id = `f-${props.field.replace(':', '-')}`;
  return (
    <div class="minutes-field" data-field={props.field}>
      <label for={id} class="field-label">
        {props.label}
      </label>
      {props.multiline ? (
        <textarea id={id} rows={4} value={value} readOnly={props.readOnly} onInput={(e) => (setValue((e.target as HTMLTextAreaElement).value), setNote(null))} />
      ) : (
        <input id={id} value={value} readOnly={props.readOnly} onInput={(e) => (setValue((e.target as HTMLInputElement).value), setNote(null))} />
      )}
      {!props.readOnly && (
        <div class="minutes-field-actions">
          <Button onClick={submit} disabled={save.busy || !dirty} data-save={props.field}>
            {t('minutes.save')}
          </Button>
          {note && (
            <span role="status" class={note === 'merged' ? 'alert alert-warn' : 'muted'}>
              {t(note === 'merged' ? 'minutes.merged' : 'minutes.saved')}
            </span>
          )}
        </div>
      )}
      <ErrorBox error={save.error} />
    </div>
  );
}

export function Minutes({ id }: { id: number }) {
  const view = useAsync(() => request<MinutesView>('GET', `/api/meetings/${id}/minutes`), [id]);
  const act = useAction();
  const [amendNote, setAmendNote] = useState('');
  const v = view.data;
  if (!v) return <PagePending error={view.error} onRetry={view.reload} />;
  const final = v.minutes.status === 'final';
  const o = v.model.attendance.overall;
  const key = `${v.minutes.version}`;
  const field = (name: string, label: string, multiline = false) => (
    <FieldEditor key={`${key}-${name}`} meetingId={id} field={name} label={label} multiline={multiline} initial={v.fields[name]} readOnly={final} />
  );
  const finalise = () =>
    act.run(async () => {
      if (!confirm(t('minutes.finaliseConfirm'))) return;
      await request('POST', `/api/meetings/${id}/minutes/finalise`);
      view.reload();
    });
  const amend = () =>
    act.run(async () => {
      await request('POST', `/api/meetings/${id}/minutes/amend`, { changeNote: amendNote });
      setAmendNote('');
      view.reload();
    });
  return (
    <main id="main" class="page minutes-page">
      <div class="page-head">
        <h1>
          {t('minutes.title')}: {v.model.meeting.title}
        </h1>
        <p class="muted" data-minutes-status={v.minutes.status}>
          {t('minutes.version', { n: v.minutes.version })} · {t(`minutes.status.${v.minutes.status}`)}
          {v.minutes.changeNote && ` · ${t('minutes.changeNote', { note: v.minutes.changeNote })}`}
        </p>
        {final && v.minutes.pdfSha256 && <p class="muted minutes-sha">{t('minutes.finalised', { sha: v.minutes.pdfSha256 })}</p>}
        <div class="minutes-actions">
          <a class="btn" href={`/api/meetings/${id}/minutes/file.pdf`} download data-download="pdf">
            {t('minutes.pdf')}
          </a>
          <a class="btn" href={`/api/meetings/${id}/minutes/file.docx`} download data-download="docx">
            {t('minutes.docx')}
          </a>
          {!final && (
            <Button variant="primary" onClick={finalise} disabled={act.busy} data-finalise>
              {t('minutes.finalise')}
            </Button>
          )}
        </div>
        <ErrorBox error={act.error} />
      </div>

      <section aria-labelledby="m-head">
        <h2 id="m-head">{t('minutes.header')}</h2>
        <div class="minutes-grid">
          {field('number', t('minutes.f.number'))}
          {field('venue', t('minutes.f.venue'))}
          {field('chair', t('minutes.f.chair'))}
          {field('secretary', t('minutes.f.secretary'))}
        </div>
      </section>

      <section aria-labelledby="m-att">
        <h2 id="m-att">{t('minutes.attendance')}</h2>
        <p>{t('minutes.att.summary', { invited: o.invited, inPerson: o.presentInPerson, online: o.presentOnline, absent: o.absent, unreported: o.unreported })}</p>
        {v.model.attendance.absentees.length > 0 && (
          <>
            <h3>{t('minutes.absentees')}</h3>
            <ul>
              {v.model.attendance.absentees.map((a) => (
                <li key={a.fullName + a.bridge}>
                  {a.fullName} ({a.bridge}) – {a.reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="m-items">
        <h2 id="m-items">{t('minutes.items')}</h2>
        {v.model.items.map((it) => (
          <article key={it.id} class="minutes-item">
            <h3>
              {it.number}. {it.title}
            </h3>
            <p class="muted">
              {it.status === 'adjourned' ? t('minutes.item.adjourned') : t('minutes.item.time', { used: it.usedMinutes, planned: it.plannedMinutes })}
              {it.speakers.length > 0 && ` · ${t('minutes.item.speakers', { names: it.speakers.map((s) => `${s.name} (${s.bridge})`).join(', ') })}`}
            </p>
            {field(`item:${it.id}`, t('minutes.conclusion', { n: it.number }), true)}
          </article>
        ))}
      </section>

      <section aria-labelledby="m-polls">
        <h2 id="m-polls">{t('minutes.polls')}</h2>
        {v.model.polls.map((p) => (
          <div key={p.number} class="minutes-poll">
            <h3>
              {p.number}. {p.title}
            </h3>
            <p>
              {p.voted}/{p.eligible} · {p.options.map((x) => `${x.label}: ${x.votes}`).join(' · ')}
            </p>
            <p>{p.outcomeText}</p>
          </div>
        ))}
      </section>

      <section aria-labelledby="m-overall">
        <h2 id="m-overall">{t('minutes.f.overall')}</h2>
        {field('overall', t('minutes.f.overall'), true)}
      </section>

      <section aria-labelledby="m-exports">
        <h2 id="m-exports">{t('minutes.exports')}</h2>
        <ul class="minutes-exports">
          {EXPORTS.map((e) => (
            <li key={e}>
              {t(`minutes.ex.${e}` as MsgKey)}:{' '}
              <a href={`/api/meetings/${id}/minutes/export/${e}.csv`} download>
                CSV
              </a>{' '}
              ·{' '}
              <a href={`/api/meetings/${id}/minutes/export/${e}.xlsx`} download>
                XLSX
              </a>
            </li>
          ))}
        </ul>
      </section>

      {final && (
        <section aria-labelledby="m-amend">
          <h2 id="m-amend">{t('minutes.amend')}</h2>
          <Field label={t('minutes.amendNote')}>
            <input value={amendNote} onInput={(e) => setAmendNote((e.target as HTMLInputElement).value)} />
          </Field>
          <Button onClick={amend} disabled={act.busy || !amendNote.trim()}>
            {t('minutes.amend')}
          </Button>
        </section>
      )}
    </main>
  );
}
