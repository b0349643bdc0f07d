/** Small live-meeting pieces shared by the console, the bridge screen and the phone. */
import type { PollResult, PollView, Turnout } from '@diemcau/shared';
import { formatDuration, t, type MsgKey } from '../lib/i18n.ts';
import { send } from '../lib/socket.ts';
import { useAction } from '../lib/use-async.ts';
import { currentItem, floorOpen, speakerRemaining, timerRemaining, type LiveState } from './state.ts';
import { useNow } from './use-live-meeting.ts';
import { Icon } from '../components/Icon.tsx';
import { Button, ErrorBox } from '../components/ui.tsx';
import { baseKindOf, shareOf } from './result-share.ts';

/** Item timer: remaining time, turning red and counting up once over. */
export function TimerText({ s, big }: { s: LiveState; big?: boolean }) {
  useNow(500);
  const rem = timerRemaining(s);
  if (rem === null) return null;
  const status = s.agenda.timer?.status ?? 'idle';
  return (
    <span class={`timer ${rem < 0 ? 'timer-over' : ''} ${big ? 'timer-big' : ''}`} role="timer" aria-label={t('agenda.timer')} data-timer-status={status}>
      {rem < 0 ? `+${formatDuration(-rem)}` : formatDuration(rem)}
      {status === 'paused' && <span class="timer-status"> ({t('timer.paused')})</span>}
    </span>
  );
}

/** The current agenda item with its number, presenter and timer. */
export function AgendaNow({ s, big }: { s: LiveState; big?: boolean }) {
  const item = currentItem(s);
  const idx = item ? s.agenda.items.findIndex((i) => i.id === item.id) : -1;
  return (
    <div class={`agenda-now ${big ? 'agenda-now-big' : ''}`} data-current-item={item?.id ?? ''}>
      <div class="eyebrow">{item ? t('agenda.item', { n: idx + 1 }) : t('agenda.noCurrent')}</div>
      {item && (
        <>
          <div class="agenda-now-title">{item.title}</div>
          {item.presenter && <div class="muted-inv">{item.presenter}</div>}
          <TimerText s={s} big={big} />
        </>
      )}
    </div>
  );
}

/** Who has the floor, with the speaking-time countdown. */
export function SpeakerBox({ s }: { s: LiveState }) {
  useNow(500);
  const sp = s.floor.speaker;
  if (!sp) return null;
  const rem = speakerRemaining(s) ?? 0;
  return (
    <div class="speaker-box" data-speaker={sp.userId}>
      <span class="eyebrow"><Icon name="mic" /> {t('floor.speaking')}</span>
      <strong class="speaker-name">{sp.displayName}</strong>
      {sp.topic && <span>{sp.topic}</span>}
      <span class={`timer ${rem < 0 ? 'timer-over' : ''}`} role="timer">
        {formatDuration(Math.max(0, rem))}
      </span>
    </div>
  );
}

/**
 * Asking for the floor, on the bridge screen and on the delegate's phone:
 * "you have the floor" (with a yield button where `canYield`), or the place in
 * the queue with a withdraw button, or the request button while the floor is open.
 * `mine` picks this screen's own request out of the queue.
 */
export function FloorAsk(props: {
  s: LiveState;
  mine(r: { userId: number; bridgePointId: number | null }): boolean;
  label: MsgKey;
  action: string;
  canYield?: boolean;
  class: string;
}) {
  const act = useAction();
  const { s, mine } = props;
  const meetingId = s.meeting.id;
  const pos = s.floor.queue.findIndex(mine);
  const speaking = !!s.floor.speaker && mine(s.floor.speaker);
  return (
    <div class={props.class}>
      {speaking ? (
        <>
          <p class="callout callout-ok"><Icon name="mic" /> {t('floor.youHaveFloor')}</p>
          {props.canYield && (
            <Button class="btn-big btn-block" disabled={act.busy} onClick={() => void act.run(() => send('floor:revoke', { meetingId }))}>
              {t('floor.yield')}
            </Button>
          )}
        </>
      ) : pos >= 0 ? (
        <>
          <p class="callout" data-floor-queued={pos + 1}>
            <Icon name="hand" /> {t('floor.queued', { n: pos + 1 })}
          </p>
          <Button class="btn-big btn-block" disabled={act.busy} onClick={() => void act.run(() => send('floor:withdraw', { meetingId, requestId: s.floor.queue[pos]!.id }))}>
            {t('floor.withdraw')}
          </Button>
        </>
      ) : (
        <Button variant="primary" class="btn-big btn-block" disabled={act.busy || !floorOpen(s)} onClick={() => void act.run(() => send('floor:request', { meetingId }))} data-action={props.action}>
          <Icon name="hand" /> {t(props.label)}
        </Button>
      )}
      <ErrorBox error={act.error} />
    </div>
  );
}

export function optionLabel(poll: { kind: PollView['kind'] }, o: { id: string; label: string }): string {
  return poll.kind === 'approval' && (o.id === 'yes' || o.id === 'no' || o.id === 'abstain') ? t(`poll.opt.${o.id}`) : o.label;
}


export function TurnoutView({ turnout }: { turnout: Turnout | null }) {
  if (!turnout) return null;
  return (
    <div class="turnout" data-voted={turnout.voted} data-eligible={turnout.eligible}>
      <div class="turnout-main">
        {t('poll.turnout', { voted: turnout.voted, eligible: turnout.eligible })}
      </div>
      <div class="bar" aria-hidden="true">
        <div class="bar-fill" style={{ width: turnout.eligible ? `${(turnout.voted / turnout.eligible) * 100}%` : '0' }} />
      </div>
      {turnout.byLevel.length > 1 && (
        <ul class="inline-list">
          {turnout.byLevel.map((l) => (
            <li key={l.level}>
              {t(`level.${l.level}`)}: {l.voted}/{l.eligible}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The result, stating quorum and majority in words as the law requires them read out. */
export function PollResultView({ poll, result }: { poll: PollView; result: PollResult }) {
  const q = result.quorum;
  const baseKind = baseKindOf(result);
  return (
    <div class={`result result-${result.outcome}`} data-outcome={result.outcome} role="region" aria-label={t('poll.result')}>
      <div class="result-outcome">{t(`poll.outcome.${result.outcome}` as MsgKey)}</div>
      <p class="result-line" data-quorum={q.met ? 'met' : 'not-met'}>
        <strong>{t('poll.quorum')}:</strong>{' '}
        {t('poll.quorumLine', { present: q.present, invited: q.invited, rule: `${q.rule.num}/${q.rule.den}` })} —{' '}
        <strong>{q.met ? t('poll.quorumMet') : t('poll.quorumNotMet')}</strong>
      </p>
      <p class="result-line" data-majority={result.majority}>
        <strong>{t('poll.majority')}:</strong> {t(`poll.majority.${result.majority}` as MsgKey)} —{' '}
        {t('poll.required', { required: result.required, base: result.base })}
      </p>
      <table class="result-table">
        <caption class="sr-only">{poll.title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('poll.option')}</th>
            <th scope="col">{t('poll.votes')}</th>
            <th scope="col">%</th>
          </tr>
        </thead>
        <tbody>
          {result.options.map((o) => (
            <tr key={o.id} class={o.carried ? 'carried' : ''} data-option={o.id}>
              <th scope="row">
                {o.carried ? '✔ ' : ''}
                {optionLabel(poll, o)}
              </th>
              <td>{o.votes}</td>
              <td>{shareOf(poll, result, o.id) ?? t('poll.notInBase')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="result-line" data-base={baseKind}>
        {t(`poll.base.${baseKind}` as MsgKey, { base: result.base })}
      </p>
      {result.sources && result.sources.hall > 0 && (
        <p class="result-line" data-sources={`${result.sources.phone}/${result.sources.hall}`}>
          {t('poll.sources', { phone: result.sources.phone, hall: result.sources.hall })}
        </p>
      )}
      <p class="muted-inv">
        {t('poll.turnout', { voted: result.voted, eligible: result.eligible })} · {t(`poll.mode.${result.mode}` as MsgKey)}
      </p>
    </div>
  );
}

/** Time left of a poll with a countdown (it closes by itself). */
function PollCountdown({ closesAt, offset }: { closesAt: string; offset: number }) {
  const now = useNow(500);
  const left = Date.parse(closesAt) - (now + offset);
  return (
    <span class={`timer ${left < 10_000 ? 'timer-over' : ''}`} role="timer" aria-label={t('poll.timeLeft')}>
      {formatDuration(Math.max(0, left))}
    </span>
  );
}

/** Poll title with kind/mode, status tag and, for a timed poll, the time left. */
export function PollHeader({ poll, clockOffset = 0 }: { poll: PollView; clockOffset?: number }) {
  return (
    <div class="poll-head">
      <span class={`tag poll-status-${poll.status}`}>{t(`poll.status.${poll.status}` as MsgKey)}</span>
      <strong class="poll-title">{poll.title}</strong>
      <span class="muted-inv">{t(`poll.mode.${poll.mode}` as MsgKey)}</span>
      {poll.status === 'open' && poll.closesAt && <PollCountdown closesAt={poll.closesAt} offset={clockOffset} />}
    </div>
  );
}
