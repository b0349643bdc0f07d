import type { MeetingKind } from '@diemcau/shared';
import { MEETING_KINDS } from '@diemcau/shared';
import { t } from '../lib/i18n.ts';
import { Field } from '../components/ui.tsx';
import { fromLocalInput, toLocalInput } from './meeting-links.ts';

/** A meeting's editable fields as the form holds them (times as `datetime-local` values). */
export interface MeetingDraft {
  title: string;
  kind: MeetingKind;
  description: string;
  startsAt: string;
  endsAt: string;
}

/** A form draft from ISO times (a stored meeting, or the defaults of a new one). */
export const meetingDraft = (m: { title: string; kind: MeetingKind; description: string; startsAt: string; endsAt: string }): MeetingDraft => ({
  title: m.title,
  kind: m.kind,
  description: m.description,
  startsAt: toLocalInput(m.startsAt),
  endsAt: toLocalInput(m.endsAt),
});

/** The request body for create/update: trimmed title, ISO times. */
export const meetingBody = (d: MeetingDraft) => ({
  title: d.title.trim(),
  kind: d.kind,
  description: d.description,
  startsAt: fromLocalInput(d.startsAt),
  endsAt: fromLocalInput(d.endsAt),
});

/** Title, kind, start/end and description: the fields shared by the create and the edit form. */
export function MeetingFields({ value, onChange }: { value: MeetingDraft; onChange(patch: Partial<MeetingDraft>): void }) {
  return (
    <>
      <Field label={t('meetings.field.title')}>
        <input name="title" required maxLength={300} value={value.title} onInput={(e) => onChange({ title: e.currentTarget.value })} />
      </Field>
      <Field label={t('meetings.field.kind')}>
        <select name="kind" value={value.kind} onChange={(e) => onChange({ kind: e.currentTarget.value as MeetingKind })}>
          {MEETING_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <div class="row-2">
        <Field label={t('meetings.field.startsAt')}>
          <input name="startsAt" type="datetime-local" required value={value.startsAt} onInput={(e) => onChange({ startsAt: e.currentTarget.value })} />
        </Field>
        <Field label={t('meetings.field.endsAt')}>
          <input name="endsAt" type="datetime-local" required value={value.endsAt} onInput={(e) => onChange({ endsAt: e.currentTarget.value })} />
        </Field>
      </div>
      <Field label={t('meetings.field.description')}>
        <textarea name="description" rows={4} maxLength={5000} value={value.description} onInput={(e) => onChange({ description: e.currentTarget.value })} />
      </Field>
    </>
  );
}
