import { useState } from 'preact/hooks';
import {
  DEFAULT_QUORUM,
  MAJORITY_BASES,
  MAJORITY_RULES,
  meetingOver,
  POLL_KINDS,
  type BallotMode,
  type MajorityBase,
  type MajorityRule,
  type PollKind,
  type QuorumRule,
} from '@diemcau/shared';
import { send } from '../../lib/socket.ts';
import { t, type MsgKey } from '../../lib/i18n.ts';
import { Button, ErrorBox, Field } from '../../components/ui.tsx';
import { useAction } from '../../lib/use-async.ts';
import { optionLabel, PollHeader, PollResultView, TurnoutView } from '../../live/widgets.tsx';
import { currentItem, type LiveState } from '../../live/state.ts';
import { HallCountList } from '../../live/HallCount.tsx';

/** Quorum presets as Party rules state them: more than half, or at least two thirds, of those invited present. */
const QUORUMS: Record<'half' | 'twoThirds' | 'none', QuorumRule> = {
  half: DEFAULT_QUORUM,
  twoThirds: { num: 2, den: 3, inclusive: true },
  none: { num: 0, den: 1, inclusive: true },
};

/** Chair: draft, open, watch turnout, close and publish a poll. */
export function PollControl({ s, patch }: { s: LiveState; patch(fn: (s: LiveState) => LiveState): void }) {
  const act = useAction();
  const { poll, result, turnout } = s.poll;
  const [creating, setCreating] = useState(false);
  const done = !poll || poll.status === 'closed' || poll.status === 'published' || poll.status === 'cancelled';
  const setPoll = (p: NonNullable<typeof poll>, extra: Partial<LiveState['poll']> = {}) =>
    patch((x) => ({ ...x, poll: { ...x.poll, poll: p, ...extra } }));

  return (
    <section class="panel" aria-labelledby="poll-h">
      <h2 id="poll-h">{t('poll.title')}</h2>
      {poll && (
        <div class="stack-sm" data-poll={poll.id} data-poll-status={poll.status}>
          <PollHeader poll={poll} clockOffset={s.clockOffset} />
          {poll.status === 'draft' && (
            <div class="actions">
              <Button variant="primary" disabled={act.busy} data-action="poll-open" onClick={() => void act.run(async () => setPoll(await send('poll:open', { pollId: poll.id })))}>
                ▶ {t('poll.open')}
              </Button>
              <Button variant="ghost" disabled={act.busy} onClick={() => void act.run(async () => setPoll(await send('poll:cancel', { pollId: poll.id })))}>
                {t('common.cancel')}
              </Button>
            </div>
          )}
          {poll.status === 'open' && (
            <>
              <TurnoutView turnout={turnout} />
              {s.tally && s.tally.pollId === poll.id && (
                <ul class="inline-list" aria-label={t('poll.liveTally')}>
                  {s.tally.counts.map((c) => (
                    <li key={c.id}>
                      {optionLabel(poll, { id: c.id, label: poll.options.find((o) => o.id === c.id)?.label ?? c.id })}: {c.votes}
                    </li>
                  ))}
                </ul>
              )}
              <HallCountList s={s} />
              <Button
                variant="danger"
                disabled={act.busy}
                data-action="poll-close"
                onClick={() => void act.run(async () => {
                  const r = await send('poll:close', { pollId: poll.id });
                  setPoll(r.poll, { result: r.result });
                })}
              >
                ■ {t('poll.close')}
              </Button>
            </>
          )}
          {result && result.pollId === poll.id && <PollResultView poll={poll} result={result} />}
          {poll.status === 'closed' && (
            <Button
              variant="primary"
              disabled={act.busy}
              data-action="poll-publish"
              onClick={() => void act.run(async () => {
                const r = await send('poll:publish', { pollId: poll.id });
                setPoll(r.poll, { result: r.result });
              })}
            >
              {t('poll.publish')}
            </Button>
          )}
        </div>
      )}
      <ErrorBox error={act.error} />
      {/* An ended meeting's polls are part of the record: no new one. */}
      {done && !creating && !meetingOver(s.meeting.status) && (
        <Button variant="primary" onClick={() => setCreating(true)} data-action="poll-new">
          + {t('poll.new')}
        </Button>
      )}
      {done && creating && (
        <PollForm
          s={s}
          onCancel={() => setCreating(false)}
          onCreated={(p) => {
            setCreating(false);
            setPoll(p, { result: null, turnout: null, voted: false });
          }}
        />
      )}
    </section>
  );
}

function PollForm({ s, onCancel, onCreated }: { s: LiveState; onCancel(): void; onCreated(p: Parameters<typeof PollHeader>[0]['poll']): void }) {
  const item = currentItem(s);
  const act = useAction();
  const [title, setTitle] = useState(item ? item.title : '');
  const [kind, setKind] = useState<PollKind>('approval');
  const [mode, setMode] = useState<BallotMode>('secret');
  const [majority, setMajority] = useState<MajorityRule>('simple');
  const [base, setBase] = useState<MajorityBase>('present');
  const [quorum, setQuorum] = useState<keyof typeof QUORUMS>('half');
  const [options, setOptions] = useState('');
  const [seats, setSeats] = useState(1);
  const [duration, setDuration] = useState(0);
  const submit = (e: Event) => {
    e.preventDefault();
    const opts = options.split('\n').map((o) => o.trim()).filter(Boolean);
    void act.run(async () => {
      const p = await send('poll:create', {
        agendaItemId: item?.id ?? null,
        title: title.trim(),
        kind,
        mode,
        majority,
        // A simple majority is always of the votes cast; the others count against those present or all invited.
        ...(majority !== 'simple' ? { majorityBase: base } : {}),
        quorum: QUORUMS[quorum],
        ...(kind !== 'approval' ? { options: opts } : {}),
        ...(kind === 'multiple' ? { minChoices: 1, maxChoices: Math.max(1, opts.length) } : {}),
        ...(kind === 'election' ? { seats } : {}),
        ...(duration ? { durationSeconds: duration } : {}),
      });
      onCreated(p);
    });
  };
  return (
    <form class="stack-sm poll-form" onSubmit={submit} aria-label={t('poll.new')}>
      <Field label={t('poll.question')}>
        <input name="pollTitle" required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <div class="row-2">
        <Field label={t('poll.kind')}>
          <select name="pollKind" value={kind} onChange={(e) => setKind(e.currentTarget.value as PollKind)}>
            {POLL_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`poll.kind.${k}` as MsgKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('poll.modeLabel')}>
          <select name="pollMode" value={mode} onChange={(e) => setMode(e.currentTarget.value as BallotMode)}>
            <option value="secret">{t('poll.mode.secret')}</option>
            <option value="open">{t('poll.mode.open')}</option>
          </select>
        </Field>
        <Field label={t('poll.majority')}>
          <select name="pollMajority" value={majority} onChange={(e) => setMajority(e.currentTarget.value as MajorityRule)}>
            {MAJORITY_RULES.map((m) => (
              <option key={m} value={m}>
                {t(`poll.majority.${m}` as MsgKey)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="row-2">
        {majority !== 'simple' && (
          <Field label={t('poll.majorityBase')}>
            <select name="pollMajorityBase" value={base} onChange={(e) => setBase(e.currentTarget.value as MajorityBase)}>
              {MAJORITY_BASES.map((b) => (
                <option key={b} value={b}>
                  {t(`poll.majorityBase.${b}` as MsgKey)}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field label={t('poll.quorumRule')}>
          <select name="pollQuorum" value={quorum} onChange={(e) => setQuorum(e.currentTarget.value as keyof typeof QUORUMS)}>
            {(Object.keys(QUORUMS) as (keyof typeof QUORUMS)[]).map((k) => (
              <option key={k} value={k}>
                {t(`poll.quorum.${k}` as MsgKey)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label={t('poll.durationLabel')}>
        <select name="pollDuration" value={duration} onChange={(e) => setDuration(Number(e.currentTarget.value))}>
          <option value={0}>{t('poll.noDuration')}</option>
          {[60, 120, 300].map((sec) => (
            <option key={sec} value={sec}>
              {t('common.minutes', { n: sec / 60 })}
            </option>
          ))}
        </select>
      </Field>
      {kind !== 'approval' && (
        <Field label={t('poll.options')} hint={t('poll.optionsHint')}>
          <textarea name="pollOptions" rows={4} required value={options} onInput={(e) => setOptions(e.currentTarget.value)} />
        </Field>
      )}
      {kind === 'election' && (
        <Field label={t('poll.seats')}>
          <input type="number" min={1} max={100} value={seats} onInput={(e) => setSeats(Number(e.currentTarget.value) || 1)} />
        </Field>
      )}
      <ErrorBox error={act.error} />
      <div class="actions">
        <Button type="submit" variant="primary" disabled={act.busy} data-action="poll-create">
          {t('poll.create')}
        </Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}
