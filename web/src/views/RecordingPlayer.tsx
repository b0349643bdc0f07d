/**
 * The meeting's recordings (its archive page for video): each recording the
 * viewer may play, a player fed by a short-lived, logged playback grant, and
 * the agenda items as chapters to jump to. A confidential recording is only
 * streamed in the page: no download link, no save menu.
 */
import { useRef, useState } from 'preact/hooks';
import type { RecordingGrant, RecordingInfo } from '@diemcau/shared';
import { formatDateTime, formatDuration, t } from '../lib/i18n.ts';
import { useAction, useAsync } from '../lib/use-async.ts';
import { ErrorBox, Button, PagePending } from '../components/ui.tsx';
import { recordingApi } from '../live/recording.tsx';

function Player({ rec }: { rec: RecordingInfo }) {
  const [grant, setGrant] = useState<RecordingGrant | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const act = useAction();
  const confidential = rec.classification === 'confidential';
  const jump = (ms: number) => {
    const v = video.current;
    if (!v) return;
    v.currentTime = ms / 1000;
    void v.play().catch(() => {});
  };
  return (
    <section class="card stack" data-recording-id={rec.id} aria-label={t('rec.item', { n: rec.id })}>
      <div class="row">
        <h2 class="grow">
          {t('rec.item', { n: rec.id })} · {formatDateTime(new Date(rec.startedAt).toISOString())}
        </h2>
        <span class="pill">{t(`docs.class.${rec.classification}`)}</span>
      </div>
      <p class="muted">
        {rec.durationMs !== null && `${t('rec.duration')}: ${formatDuration(rec.durationMs)} · `}
        {rec.status === 'interrupted' ? t('rec.interrupted') : t(`rec.status.${rec.status}`)}
        {rec.sha256 && <span class="mono"> · SHA-256 {rec.sha256.slice(0, 16)}…</span>}
      </p>
      {confidential && <p class="callout">{t('rec.confidentialNote')}</p>}
      {grant ? (
        <video
          ref={video}
          class="rec-video"
          src={grant.url}
          controls
          preload="metadata"
          playsInline
          controlsList="nodownload"
          disablePictureInPicture={confidential}
          onContextMenu={(e) => confidential && e.preventDefault()}
          aria-label={t('rec.item', { n: rec.id })}
        />
      ) : (
        <Button variant="primary" disabled={act.busy || rec.access === 'none'} data-action="recording-play" onClick={() => void act.run(async () => setGrant(await recordingApi.grant(rec.id)))}>
          ▶ {t('rec.play')}
        </Button>
      )}
      <ErrorBox error={act.error} />
      {rec.chapters.length > 0 && (
        <nav aria-label={t('rec.chapters')}>
          <h3>{t('rec.chapters')}</h3>
          <ol class="rec-chapters">
            {rec.chapters.map((c) => (
              <li key={`${c.itemId}-${c.offsetMs}`}>
                <button type="button" class="btn btn-ghost" disabled={!grant} data-chapter={c.itemId} onClick={() => jump(c.offsetMs)}>
                  <span class="mono">{formatDuration(c.offsetMs)}</span> {c.title}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
      {grant?.download && (
        <a class="btn" href={grant.download} download>
          {t('rec.download')}
        </a>
      )}
    </section>
  );
}

export function RecordingPlayer({ meetingId }: { meetingId: number }) {
  const o = useAsync(() => recordingApi.overview(meetingId), [meetingId]);
  if (!o.data) return <PagePending error={o.error} onRetry={o.reload} />;
  const playable = o.data.recordings.filter((r) => r.access !== 'none' && (r.status === 'ready' || r.status === 'interrupted'));
  return (
    <main id="main" class="page stack" data-view="recordings" data-meeting={meetingId}>
      <a href={`/meetings/${meetingId}`}>← {t('rec.back')}</a>
      <h1>{t('rec.title')}</h1>
      {playable.length === 0 ? <p class="muted">{t('rec.none')}</p> : playable.map((r) => <Player key={r.id} rec={r} />)}
    </main>
  );
}
