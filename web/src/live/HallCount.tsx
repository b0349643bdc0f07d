/**
 * Hall voting by count (issue 15). At a commune hall many delegates have no
 * smartphone: they raise their hands and the bridge operator enters the count
 * here. The server refuses a count larger than the hall's delegates present,
 * or one that would count a phone voter again; this form shows both limits.
 */
import { useEffect, useState } from 'preact/hooks';
import type { HallCountInfo } from '@diemcau/shared';
import { send } from '../lib/socket.ts';
import { t } from '../lib/i18n.ts';
import { useAction } from '../lib/use-async.ts';
import { Button, ErrorBox } from '../components/ui.tsx';
import type { LiveState } from './state.ts';
import { optionLabel } from './widgets.tsx';

/** Whether the open poll takes hall counts: open ballots with one choice each (a hand is one choice). */
export const takesHallCounts = (s: LiveState): boolean => {
  const p = s.poll.poll;
  return !!p && p.status === 'open' && p.mode === 'open' && p.maxChoices === 1;
};

/** This hall's standing count, if any. */
const hallOf = (s: LiveState, bp: number): HallCountInfo | undefined => s.poll.halls?.find((h) => h.bridgePointId === bp && h.pollId === s.poll.poll?.id);

/** The bridge operator's form: delegates present and hands per option; entered once, changeable until the poll closes. */
export function HallCountForm({ s, bp }: { s: LiveState; bp: number }) {
  const act = useAction();
  const poll = s.poll.poll;
  const standing = hallOf(s, bp);
  const seated = s.poll.turnout?.byBridgePoint.find((b) => b.bridgePointId === bp);
  const [present, setPresent] = useState('');
  const [votes, setVotes] = useState<Record<string, string>>({});
  // A new poll starts from the hall's delegates present at opening; a standing count is shown for correcting.
  useEffect(() => {
    setPresent(String(standing?.present ?? seated?.eligible ?? 0));
    setVotes(Object.fromEntries((standing?.counts ?? []).map((c) => [c.id, String(c.votes)])));
  }, [poll?.id, standing?.enteredAt]);
  if (!poll || !takesHallCounts(s)) return null;
  // The hall's turnout counts its phone voters plus its standing count: the difference is who voted by phone.
  const phone = Math.max(0, (seated?.voted ?? 0) - (standing?.votes ?? 0));
  const n = (v: string | undefined) => Math.max(0, Math.floor(Number(v) || 0));
  const room = Math.max(0, n(present) - phone);
  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(() =>
      send('poll:hall-count', { pollId: poll.id, present: n(present), counts: poll.options.map((o) => ({ id: o.id, votes: n(votes[o.id]) })) }),
    );
  };
  return (
    <form class="hall-count stack-sm" onSubmit={submit} aria-labelledby="hall-h" data-hall={bp}>
      <h2 id="hall-h">{t('hall.title')}</h2>
      <label class="inline-field">
        <span>{t('hall.present')}</span>
        <input name="hallPresent" type="number" min={0} max={seated?.eligible ?? 5000} value={present} onInput={(e) => setPresent(e.currentTarget.value)} />
      </label>
      {poll.options.map((o) => (
        <label class="inline-field" key={o.id}>
          <span>{optionLabel(poll, o)}</span>
          <input name={`hall-${o.id}`} type="number" min={0} max={room} value={votes[o.id] ?? ''} onInput={(e) => setVotes({ ...votes, [o.id]: e.currentTarget.value })} />
        </label>
      ))}
      <p class="muted-inv">
        {t('hall.max', { n: room })}
        {phone > 0 && <> · {t('hall.phoneVoters', { n: phone })}</>}
      </p>
      {standing && (
        <p role="status" data-hall-votes={standing.votes}>
          {t('hall.saved', { votes: standing.votes, present: standing.present })}
        </p>
      )}
      <Button type="submit" variant="primary" disabled={act.busy} data-action="hall-count">
        {standing ? t('hall.update') : t('hall.save')}
      </Button>
      <ErrorBox error={act.error} />
    </form>
  );
}

/** The hall counts of the current poll, per bridge point (the console; the result then shows them in its subtotals). */
export function HallCountList({ s }: { s: LiveState }) {
  const poll = s.poll.poll;
  const halls = (s.poll.halls ?? []).filter((h) => h.pollId === poll?.id);
  if (!poll || !halls.length) return null;
  const name = (bp: number) => s.presence.bridges.find((b) => b.bridgePointId === bp)?.name ?? `#${bp}`;
  return (
    <div class="hall-list" aria-label={t('hall.list')}>
      <strong>{t('hall.list')}</strong>
      <ul>
        {halls.map((h) => (
          <li key={h.bridgePointId} data-hall={h.bridgePointId}>
            {name(h.bridgePointId)}: {t('hall.row', { votes: h.votes, present: h.present, phone: h.phoneVoters })} (
            {h.counts.map((c) => `${optionLabel(poll, { id: c.id, label: poll.options.find((o) => o.id === c.id)?.label ?? c.id })} ${c.votes}`).join(', ')})
          </li>
        ))}
      </ul>
    </div>
  );
}
