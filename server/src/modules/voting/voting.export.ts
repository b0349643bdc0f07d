/**
 * Read-side of a finished poll: verification from the stored rows, the CSV
 * export and the published ballot list. Shared by the HTTP routes and the
 * scripts/verify-poll.ts command line tool.
 */
import { stringify } from 'csv-stringify/sync';
import type { BallotList, PollResult, PollVerifyReport } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { verifyPoll } from './voting.ledger.ts';
import * as repo from './voting.repo.ts';
import { hallTallies, loadHalls } from './voting.hall-store.ts';
import type { PollRow } from './voting.schema.ts';
import { iso } from './voting.views.ts';

/** Replays the chain and re-tallies the stored ballots of one poll. */
export async function verifyStoredPoll(s: Store, row: PollRow, expectedHead?: string | null): Promise<PollVerifyReport> {
  const secret = row.spec.mode === 'secret';
  const report = verifyPoll({
    entries: await repo.loadChain(s, row.id),
    openBallots: secret ? [] : await repo.loadOpenBallots(s, row.id),
    secretBallots: secret ? await repo.loadSecretBallots(s, row.id) : [],
    receipts: secret ? await repo.loadReceipts(s, row.id) : [],
    voterIds: await repo.loadVoterIds(s, row.id),
    hallCounts: hallTallies(await loadHalls(s, row.id)),
    storedResult: row.result ?? null,
    storedHead: null,
    expectedHead: expectedHead ?? null,
  });
  return { pollId: row.id, ...report };
}

/** Canonical order of anonymous ballots: by their choices, so the order says nothing about who or when. */
export const byChoices = (a: readonly string[], b: readonly string[]) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The published ballot list. Secret polls: the anonymous choices in canonical
 * order and, apart, the receipts sorted: a receipt proves its ballot was
 * counted, never how it was marked (else it could be sold). Open polls: by name.
 */
export async function ballotList(s: Store, row: PollRow): Promise<BallotList> {
  const chainHead = await repo.headHash(s, row.id);
  if (row.spec.mode === 'secret') {
    const ballots = (await repo.loadSecretBallots(s, row.id))
      .map((b) => b.choices)
      .sort(byChoices)
      .map((choices) => ({ receipt: null, voterId: null, fullName: null, choices }));
    return { pollId: row.id, mode: 'secret', ballots, receipts: await repo.loadReceipts(s, row.id), chainHead };
  }
  const ballots = (await repo.loadOpenBallots(s, row.id)).map((b) => ({ receipt: null, voterId: b.voterId, fullName: b.fullName, choices: b.choices }));
  return { pollId: row.id, mode: row.spec.mode, ballots, receipts: null, chainHead };
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/**
 * CSV export: a block of key/value facts (rules, quorum, outcome, chain head),
 * a blank line, then the table of votes: total, per level, per bridge point.
 * Starts with a BOM so spreadsheet programs read Vietnamese correctly.
 */
export function resultCsv(row: PollRow, r: PollResult): string {
  const label = new Map(row.spec.options.map((o) => [o.id, o.label]));
  const names = (ids: string[]) => ids.map((id) => label.get(id) ?? id).join('; ');
  const facts = [
    ['poll_id', row.id],
    ['title', row.title],
    ['kind', r.kind],
    ['mode', r.mode],
    ['majority_rule', r.majority],
    ['majority_base', r.base],
    ...(r.baseKind ? [['majority_base_of', r.baseKind]] : []),
    ['votes_required', r.required],
    ['quorum_rule', `${r.quorum.rule.inclusive ? '>=' : '>'} ${r.quorum.rule.num}/${r.quorum.rule.den}`],
    ['invited', r.quorum.invited],
    ['present_eligible', r.quorum.present],
    ['quorum_met', yesNo(r.quorum.met)],
    ['voted', r.voted],
    ...(r.sources ? [['voted_by_phone', r.sources.phone], ['voted_by_hall_count', r.sources.hall]] : []),
    ['outcome', r.outcome],
    ['winners', names(r.winners)],
    ['tied', names(r.tied)],
    ['opened_at', iso(row.openedAt) ?? ''],
    ['closed_at', r.closedAt],
    ['chain_head', r.chainHead],
  ];
  const header = ['section', 'level', 'bridge_point_id', 'bridge_point', 'eligible', 'voted', ...r.options.map((o) => o.label)];
  const counts = (c: { id: string; votes: number }[] | null) => r.options.map((o) => (c ? (c.find((x) => x.id === o.id)?.votes ?? 0) : ''));
  const rows = [
    ['total', '', '', '', r.eligible, r.voted, ...r.options.map((o) => o.votes)],
    ...r.byLevel.map((l) => ['level', l.level, '', '', l.eligible, l.voted, ...counts(l.counts)]),
    ...r.byBridgePoint.map((b) => ['bridge_point', b.level, b.bridgePointId ?? '', b.name, b.eligible, b.voted, ...counts(b.counts)]),
  ];
  return '\uFEFF' + stringify(facts) + '\r\n' + stringify([header, ...rows]);
}
