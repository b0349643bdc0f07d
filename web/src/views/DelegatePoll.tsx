import { useEffect, useState } from 'preact/hooks';
import type { PollView } from '@diemcau/shared';
import { send } from '../lib/socket.ts';
import { ApiError } from '../lib/api.ts';
import { PinPrompt } from './PinPrompt.tsx';
import { t } from '../lib/i18n.ts';
import { Button, ErrorBox } from '../components/ui.tsx';
import { useAction } from '../lib/use-async.ts';
import { optionLabel, PollHeader, PollResultView } from '../live/widgets.tsx';
import type { LiveState } from '../live/state.ts';
import { ballotIdFor, loadBallot, saveBallot } from '../lib/ballot-store.ts';
import { session } from '../lib/session.ts';
import { useStore } from '../lib/store.ts';


/**
 * The ballot on a phone: pick, confirm, get a receipt code. Two steps on
 * purpose, so a shaky tap never casts a vote.
 */
export function DelegatePoll({ s, onVoted }: { s: LiveState; onVoted(): void }) {
  const { poll, result } = s.poll;
  if (!poll) return null;
  return (
    <section class="card poll-card" aria-labelledby="dpoll-h" data-poll={poll.id} data-poll-status={poll.status}>
      <h2 id="dpoll-h">{t('poll.title')}</h2>
      <PollHeader poll={poll} clockOffset={s.clockOffset} />
      {poll.status === 'open' && <Ballot key={poll.id} poll={poll} voted={s.poll.voted} eligible={s.poll.eligible} onVoted={onVoted} />}
      {result && result.pollId === poll.id && <PollResultView poll={poll} result={result} />}
      {poll.status === 'closed' && !result && <p>{t('poll.closedWait')}</p>}
    </section>
  );
}

function Ballot({ poll, voted, eligible, onVoted }: { poll: PollView; voted: boolean; eligible: boolean; onVoted(): void }) {
  const act = useAction();
  const userId = useStore(session)?.user.id ?? 0;
  const [choices, setChoices] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [receipt, setReceipt] = useState<string | null>(() => loadBallot(userId, poll.id)?.receipt ?? null);
  const [done, setDone] = useState(voted);
  // A QR session asks for the delegate's PIN once, at the first confirmed vote.
  const [needPin, setNeedPin] = useState(false);
  useEffect(() => setDone((d) => d || voted), [voted]);
  const multi = poll.maxChoices > 1;
  const options = poll.kind === 'approval' && poll.options.length === 0 ? [{ id: 'yes', label: 'yes' }, { id: 'no', label: 'no' }, { id: 'abstain', label: 'abstain' }] : poll.options;

  if (done)
    return (
      <div class="receipt" role="status">
        <p class="callout callout-ok">✔ {t('vote.done')}</p>
        {receipt && (
          <>
            <p>{t('vote.receiptLabel')}</p>
            <p class="receipt-code" data-receipt={receipt}>
              {receipt}
            </p>
            <p class="muted">{t('vote.receiptHint')}</p>
          </>
        )}
      </div>
    );
  if (!eligible && !act.error) return <p class="callout">{t('err.NOT_ELIGIBLE')}</p>;

  const cast = () =>
    act.run(async () => {
      // The same ballot id on every retry: a resend after a dropped ack gets the first answer back.
      const ballotId = ballotIdFor(userId, poll.id);
      let r: Awaited<ReturnType<typeof send<'vote:cast'>>>;
      try {
        r = await send('vote:cast', { pollId: poll.id, choices, ballotId });
      } catch (e) {
        if (e instanceof ApiError && e.code === 'PIN_REQUIRED') return setNeedPin(true);
        throw e;
      }
      saveBallot(userId, poll.id, { ballotId, receipt: r.receipt });
      setReceipt(r.receipt);
      setDone(true);
      onVoted();
    });

  if (confirming && needPin)
    return (
      <PinPrompt
        onUnlocked={() => {
          setNeedPin(false);
          void cast();
        }}
        onCancel={() => {
          setNeedPin(false);
          setConfirming(false);
        }}
      />
    );
  if (confirming)
    return (
      <div class="confirm" role="alertdialog" aria-labelledby="confirm-h">
        <p id="confirm-h" class="confirm-q">{t('vote.confirmQ')}</p>
        <p class="confirm-choice" data-choice={choices.join(',')}>
          {choices.length ? choices.map((c) => optionLabel(poll, options.find((o) => o.id === c) ?? { id: c, label: c })).join(', ') : t('vote.blank')}
        </p>
        <ErrorBox error={act.error} />
        <div class="stack-sm">
          <Button variant="primary" class="btn-big btn-block" disabled={act.busy} onClick={() => void cast()} data-action="vote-confirm">
            ✔ {t('vote.confirm')}
          </Button>
          <Button class="btn-big btn-block" disabled={act.busy} onClick={() => setConfirming(false)}>
            ↺ {t('vote.change')}
          </Button>
        </div>
      </div>
    );

  return (
    <div class="ballot">
      <p class="muted">{multi ? t('vote.pickMany', { max: poll.maxChoices }) : t('vote.pickOne')}</p>
      <div class="stack-sm" role="group" aria-label={poll.title}>
        {options.map((o) =>
          multi ? (
            <label key={o.id} class={`vote-opt ${choices.includes(o.id) ? 'picked' : ''}`}>
              <input
                type="checkbox"
                checked={choices.includes(o.id)}
                onChange={(e) =>
                  setChoices((c) => (e.currentTarget.checked ? (c.length < poll.maxChoices ? [...c, o.id] : c) : c.filter((x) => x !== o.id)))
                }
              />
              <span>{optionLabel(poll, o)}</span>
            </label>
          ) : (
            <Button
              key={o.id}
              class={`btn-big btn-block vote-${o.id}`}
              data-option={o.id}
              onClick={() => {
                setChoices([o.id]);
                setConfirming(true);
              }}
            >
              {optionLabel(poll, o)}
            </Button>
          ),
        )}
      </div>
      {multi && (
        <Button variant="primary" class="btn-big btn-block" disabled={choices.length < poll.minChoices} onClick={() => setConfirming(true)}>
          {t('vote.next')}
        </Button>
      )}
    </div>
  );
}
