import { useState } from 'preact/hooks';
import { send } from '../../lib/socket.ts';
import { formatDuration, t } from '../../lib/i18n.ts';
import { Button, ErrorBox } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import { SpeakerBox } from '../../live/widgets.tsx';
import { micOf, type LiveState } from '../../live/state.ts';
import { useNow } from '../../live/use-live-meeting.ts';
import { Icon } from '../../components/Icon.tsx';

const LIMITS = [2, 3, 5, 10];

/** Chair: the floor queue, grant with a time limit, revoke, mute. */
export function FloorControl({ s }: { s: LiveState }) {
  const act = useAction();
  const [limitMin, setLimitMin] = useState(5);
  const now = useNow(1000);
  const meetingId = s.meeting.id;
  const sp = s.floor.speaker;
  const spSource = sp ? (sp.bridgePointId ? { type: 'bridge' as const, bridgePointId: sp.bridgePointId } : { type: 'user' as const, userId: sp.userId }) : null;
  const spMic = spSource ? micOf(s, spSource) : null;
  return (
    <section class="panel" aria-labelledby="floor-h">
      <h2 id="floor-h">
        {t('floor.title')} <span class="count">{s.floor.queue.length}</span>
      </h2>
      {sp ? (
        <div class="stack-sm">
          <SpeakerBox s={s} />
          <div class="actions">
            <Button variant="danger" disabled={act.busy} onClick={() => void act.run(() => send('floor:revoke', { meetingId }))} data-action="floor-revoke">
              ■ {t('floor.revoke')}
            </Button>
            {spSource && (
              <Button disabled={act.busy} onClick={() => void act.run(() => send('media:mute', { source: spSource, muted: !spMic?.muted }))}>
                <Icon name={spMic?.muted ? 'mic' : 'micOff'} /> {spMic?.muted ? t('media.unmute') : t('media.mute')}
              </Button>
            )}
          </div>
        </div>
      ) : (
        <p class="muted">{t('floor.nobody')}</p>
      )}
      <div class="actions">
        <label class="inline-field">
          <span>{t('floor.limit')}</span>
          <select value={limitMin} onChange={(e) => setLimitMin(Number(e.currentTarget.value))}>
            {LIMITS.map((m) => (
              <option key={m} value={m}>
                {t('common.minutes', { n: m })}
              </option>
            ))}
          </select>
        </label>
        <Button disabled={act.busy} onClick={() => void act.run(() => send('media:mute-all', {}))}>
          <Icon name="micOff" /> {t('media.muteAll')}
        </Button>
      </div>
      <ErrorBox error={act.error} />
      {s.floor.queue.length === 0 ? (
        <p class="muted">{t('floor.emptyQueue')}</p>
      ) : (
        <ol class="queue" aria-label={t('floor.queue')}>
          {s.floor.queue.map((r, i) => (
            <li key={r.id} data-request={r.id}>
              <div class="grow">
                <strong>{r.displayName}</strong>
                {r.topic && <div>{r.topic}</div>}
                <div class="muted">{t('floor.waiting', { time: formatDuration(now + s.clockOffset - r.requestedAt) })}</div>
              </div>
              <Button
                variant="primary"
                disabled={act.busy}
                aria-label={`${t('floor.grant')}: ${r.displayName}`}
                onClick={() => void act.run(() => send('floor:grant', { meetingId, requestId: r.id, limitSeconds: limitMin * 60 }))}
                data-action="floor-grant"
              >
                {t('floor.grant')}
              </Button>
              {i > 0 && (
                <Button
                  variant="ghost"
                  disabled={act.busy}
                  aria-label={`${t('common.moveUp')}: ${r.displayName}`}
                  onClick={() => {
                    const ids = s.floor.queue.map((q) => q.id);
                    [ids[i - 1], ids[i]] = [ids[i]!, ids[i - 1]!];
                    void act.run(() => send('floor:reorder', { meetingId, requestIds: ids }));
                  }}
                >
                  ↑
                </Button>
              )}
              <Button variant="ghost" disabled={act.busy} aria-label={`${t('floor.decline')}: ${r.displayName}`} onClick={() => void act.run(() => send('floor:withdraw', { meetingId, requestId: r.id }))}>
                ✕
              </Button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
