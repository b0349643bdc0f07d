import { useState } from 'preact/hooks';
import type { AuditQuery } from '@diemcau/shared';
import { api } from '../lib/api.ts';
import { auditApi } from '../lib/audit-api.ts';
import { formatDateTime, t } from '../lib/i18n.ts';
import { useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Field, Loading } from '../components/ui.tsx';
import { fromLocalInput } from './meeting-links.ts';
import { usePageTitle } from '../lib/page-title.ts';

const PAGE = 50;
interface Filters {
  action: string;
  actorUserId: string;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { action: '', actorUserId: '', targetType: '', targetId: '', from: '', to: '' };

function toQuery(f: Filters, offset: number): AuditQuery {
  return {
    ...(f.action.trim() && { action: f.action.trim() }),
    ...(f.actorUserId && { actorUserId: Number(f.actorUserId) }),
    ...(f.targetType.trim() && { targetType: f.targetType.trim() }),
    ...(f.targetId.trim() && { targetId: f.targetId.trim() }),
    ...(f.from && { from: fromLocalInput(f.from) }),
    ...(f.to && { to: fromLocalInput(f.to) }),
    limit: PAGE,
    offset,
  };
}

/** Admin: the audit trail ("Nhật ký"), filtered and paged, with the hash-chain check. */
export function AuditLog() {
  usePageTitle(t('audit.title'));
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const page = useAsync(() => auditApi.list(toQuery(applied, offset)), [applied, offset]);
  const users = useAsync(() => api.users(), []);
  const [checking, setChecking] = useState(false);
  const check = useAsync(() => auditApi.verify(), [checking]);
  const names = new Map((users.data ?? []).map((u) => [u.id, `${u.fullName} (${u.username})`]));
  const set = (k: keyof Filters) => (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [k]: e.currentTarget.value });
  const total = page.data?.total ?? 0;

  return (
    <main id="main" class="page">
      <div class="page-head">
        <h1>{t('audit.title')}</h1>
        <Button onClick={() => setChecking(!checking)} disabled={check.loading}>
          {t('audit.verify')}
        </Button>
      </div>
      <ErrorBox error={check.error} />
      {check.data && (
        <div class={`alert ${check.data.ok ? 'alert-ok' : 'alert-error'}`} role="status" data-testid="audit-verify">
          <strong>{check.data.ok ? t('audit.intact', { n: check.data.length }) : t('audit.broken')}</strong>
          <span class="audit-mono">{check.data.ok ? `${t('audit.head')}: ${check.data.head}` : check.data.message}</span>
        </div>
      )}
      <form
        class="row-2"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setApplied(draft);
        }}
      >
        <Field label={t('audit.action')}>
          <input name="action" value={draft.action} onInput={set('action')} placeholder="agenda.create" />
        </Field>
        <Field label={t('audit.actor')}>
          <select name="actorUserId" value={draft.actorUserId} onChange={set('actorUserId')}>
            <option value="">{t('audit.anyone')}</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={String(u.id)}>
                {names.get(u.id)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('audit.targetType')}>
          <input name="targetType" value={draft.targetType} onInput={set('targetType')} placeholder="meeting" />
        </Field>
        <Field label={t('audit.targetId')}>
          <input name="targetId" value={draft.targetId} onInput={set('targetId')} />
        </Field>
        <Field label={t('audit.from')}>
          <input name="from" type="datetime-local" value={draft.from} onInput={set('from')} />
        </Field>
        <Field label={t('audit.to')}>
          <input name="to" type="datetime-local" value={draft.to} onInput={set('to')} />
        </Field>
        <div>
          <Button type="submit" variant="primary">
            {t('audit.apply')}
          </Button>
        </div>
      </form>
      <ErrorBox error={page.error} onRetry={page.reload} />
      {page.loading && !page.data ? (
        <Loading />
      ) : total === 0 ? (
        <p class="muted">{t('audit.empty')}</p>
      ) : (
        <div class="audit-scroll">
          <table class="counts">
            <caption class="muted">{t('audit.count', { from: offset + 1, to: Math.min(offset + PAGE, total), total })}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {page.data!.items.map((e) => (
                <tr key={e.id}>
                  <td>{e.seq ?? '—'}</td>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{e.actorUserId == null ? '—' : (names.get(e.actorUserId) ?? `#${e.actorUserId}`)}</td>
                  <td class="audit-mono">{e.action}</td>
                  <td>
                    {e.targetType}
                    {e.targetId != null && ` #${e.targetId}`}
                  </td>
                  <td class="audit-mono audit-details">{e.details == null ? '' : JSON.stringify(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="page-head">
        <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          ← {t('audit.newer')}
        </Button>
        <Button disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          {t('audit.older')} →
        </Button>
      </div>
    </main>
  );
}
