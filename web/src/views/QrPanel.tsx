import { documentsApi, type QrTokenInfo } from '../lib/documents-api.ts';
import { t } from '../lib/i18n.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { Button, ErrorBox, Loading } from '../components/ui.tsx';

const fmt = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The secretariat's QR codes for a meeting: each delegate's code with its
 * validity (until the meeting's end plus the grace), reissue one or all
 * (the old codes stop working), revoke, and the venue code to print.
 */
export function QrPanel({ meetingId }: { meetingId: number }) {
  const tokens = useAsync(() => documentsApi.qr.list(meetingId), [meetingId]);
  const act = useAction();
  const run = (f: () => Promise<unknown>) => void act.run(f).then(tokens.reload);
  const live = (tokens.data ?? []).filter((x) => !x.revokedAt);
  const delegates = live.filter((x) => x.kind === 'delegate');
  const venues = live.filter((x) => x.kind === 'venue');
  return (
    <section class="card stack-sm" aria-labelledby="qr-h">
      <h3 id="qr-h">{t('qr.title')}</h3>
      <p class="muted">{t('qr.validityHint')}</p>
      <div class="actions">
        <Button disabled={act.busy} data-action="qr-reissue-all" onClick={() => window.confirm(t('qr.reissueAllConfirm')) && run(() => documentsApi.qr.reissueAll(meetingId))}>
          {t('qr.reissueAll')}
        </Button>
        <Button disabled={act.busy} data-action="qr-venue" onClick={() => run(() => documentsApi.qr.venue(meetingId))}>
          {t('qr.venueIssue')}
        </Button>
      </div>
      <ErrorBox error={act.error ?? tokens.error} />
      {tokens.loading && !tokens.data && <Loading />}
      {venues.map((v) => (
        <figure key={v.jti} class="qr-venue" data-token={v.jti}>
          <img src={documentsApi.qr.pngUrl(meetingId, v.jti)} alt={`${t('qr.venue')}: ${v.subjectName}`} width={200} height={200} />
          <figcaption>
            {t('qr.venue')}: {v.subjectName} · {t('qr.validUntil', { at: fmt(v.expiresAt) })}{' '}
            <Button onClick={() => window.print()}>{t('qr.print')}</Button> <TokenButtons meetingId={meetingId} tok={v} busy={act.busy} run={run} />
          </figcaption>
        </figure>
      ))}
      {delegates.length > 0 && (
        <ul class="doc-list">
          {delegates.map((d) => (
            <li key={d.jti} class="doc-row" data-token={d.jti}>
              <div class="grow">
                <div class="list-title">{d.subjectName}</div>
                <div class="muted">{t('qr.validUntil', { at: fmt(d.expiresAt) })}</div>
              </div>
              <TokenButtons meetingId={meetingId} tok={d} busy={act.busy} run={run} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TokenButtons({ meetingId, tok, busy, run }: { meetingId: number; tok: QrTokenInfo; busy: boolean; run(f: () => Promise<unknown>): void }) {
  return (
    <span class="actions">
      {tok.kind === 'delegate' && (
        <Button disabled={busy} data-action="qr-reissue" onClick={() => run(() => documentsApi.qr.reissue(meetingId, tok.subjectId))}>
          {t('qr.reissue')}
        </Button>
      )}
      <Button variant="danger" disabled={busy} data-action="qr-revoke" onClick={() => window.confirm(t('qr.revokeConfirm')) && run(() => documentsApi.qr.revoke(meetingId, tok.jti))}>
        {t('qr.revoke')}
      </Button>
    </span>
  );
}
