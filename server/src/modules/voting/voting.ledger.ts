/**
 * What a poll writes to its hash chain, and the independent check that
 * replays the chain, re-tallies the stored ballots and compares both with
 * the announced result. Pure: the caller loads the rows.
 *
 * Secret polls: each cast adds a bare `cast` entry (no identity, no choice),
 * and at close (or cancel) the anonymous ballots are sealed into the chain
 * sorted canonically by their choices, then one `receipts` entry lists the
 * receipts sorted on their own. So neither the chain's order nor any entry
 * pairs a voter, a receipt and a choice.
 */
import type { OptionCount, PollResult } from '@diemcau/shared';
import { canonicalJson, verifyChain, type ChainEntry } from './voting.chain.ts';
import { computeResult, type CountedBallot, type EligibleVoter } from './voting.result.ts';
import type { HallTally } from './voting.hall.ts';
import { validateBallot, type PollSpec } from './voting.rules.ts';

export type LedgerPayload =
  | { type: 'created'; pollId: number; meetingId: number; agendaItemId: number | null; title: string; spec: PollSpec; at: string }
  | { type: 'opened'; at: string; closesAt: string | null; invited: number; eligible: EligibleVoter[] }
  | { type: 'ballot'; voterId: number; choices: string[]; replaces: boolean }
  | { type: 'cast'; replaces: boolean }
  | { type: 'hall_count'; bridgePointId: number; present: number; counts: OptionCount[]; by: number; at: string; replaces: boolean }
  | { type: 'closed'; at: string; reason: 'manual' | 'countdown' }
  | { type: 'sealed'; choices: string[] }
  | { type: 'receipts'; receipts: string[] }
  | { type: 'result'; result: Omit<PollResult, 'chainHead'> }
  | { type: 'published'; at: string }
  | { type: 'cancelled'; at: string; reason: string };

/** The stored rows to check against the chain. */
export interface StoredPoll {
  entries: readonly ChainEntry[];
  /** Open polls: named ballots. */
  openBallots: readonly { voterId: number; choices: readonly string[] }[];
  /** Secret polls: anonymous ballots. */
  secretBallots: readonly { choices: readonly string[] }[];
  /** Secret polls: the receipts, held apart from the ballots. */
  receipts: readonly string[];
  /** Who is recorded as having voted. */
  voterIds: readonly number[];
  /** Open polls: the standing hall counts. */
  hallCounts?: readonly HallTally[];
  storedResult: PollResult | null;
  storedHead: string | null;
  /** A head announced out of band (e.g. read out at the meeting) to check against. */
  expectedHead?: string | null;
}

export interface VerifyReport {
  ok: boolean;
  chainLength: number;
  chainHead: string;
  problems: string[];
  /** The result re-tallied from the stored ballots, when the poll has closed. */
  recomputed: PollResult | null;
}

const withoutHead = ({ chainHead: _h, ...rest }: PollResult) => rest;
/** Results sealed before a field existed are compared without it, so older polls still verify. */
function asSealed<T extends Partial<PollResult>>(recomputed: T, sealed: Partial<PollResult>): T {
  const out = { ...recomputed };
  if (!('baseKind' in sealed)) delete out.baseKind;
  if (!('sources' in sealed)) delete out.sources;
  return out;
}
const hallKey = (h: HallTally) => `${h.bridgePointId}:${h.present}:${h.counts.map((c) => `${c.id}=${c.votes}`).join(',')}`;
const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Replays the chain and re-tallies the ballots; lists every discrepancy found. */
export function verifyPoll(s: StoredPoll): VerifyReport {
  const chain = verifyChain(s.entries);
  const problems = [...chain.problems];
  const report = (recomputed: PollResult | null): VerifyReport => ({
    ok: problems.length === 0,
    chainLength: chain.length,
    chainHead: chain.head,
    problems,
    recomputed,
  });
  if (s.storedHead !== null && s.storedHead !== chain.head) problems.push('stored chain head does not match the chain');
  if (s.expectedHead && s.expectedHead !== chain.head) problems.push('chain head differs from the announced head');

  const events = s.entries.map((e) => e.payload as LedgerPayload);
  const created = events[0];
  if (created?.type !== 'created') {
    problems.push('chain does not start with the poll definition');
    return report(null);
  }
  const spec = created.spec;
  const opened = events.find((e) => e.type === 'opened');
  const eligible = opened?.type === 'opened' ? opened.eligible : [];
  const eligibleIds = new Set(eligible.map((v) => v.userId));

  // Replay ballots as the chain recorded them.
  const chainOpen = new Map<number, string[]>();
  const sealed: Extract<LedgerPayload, { type: 'sealed' }>[] = [];
  let casts = 0;
  let resultEntry: ChainEntry | null = null;
  let closed: Extract<LedgerPayload, { type: 'closed' }> | null = null;
  let ended = false;
  let receipts: string[] | null = null;
  const chainHalls = new Map<number, HallTally>();
  const openedAt = opened ? events.indexOf(opened) : -1;
  for (const [i, entry] of s.entries.entries()) {
    const e = entry.payload as LedgerPayload;
    const phase = closed ? 'closed' : openedAt >= 0 && i > openedAt ? 'open' : 'draft';
    if (e.type === 'ballot' || e.type === 'cast') {
      if (phase !== 'open') problems.push(`entry ${i}: ballot recorded while the poll was ${phase}`);
      if ((e.type === 'ballot') !== (spec.mode === 'open')) problems.push(`entry ${i}: ${e.type} entry in a ${spec.mode} poll`);
      if (e.replaces && !spec.allowChange) problems.push(`entry ${i}: ballot changed in a poll that forbids changes`);
    }
    if (e.type === 'hall_count') {
      if (phase !== 'open') problems.push(`entry ${i}: hall count recorded while the poll was ${phase}`);
      if (spec.mode !== 'open') problems.push(`entry ${i}: hall count in a secret poll`);
      if (chainHalls.has(e.bridgePointId) !== e.replaces) problems.push(`entry ${i}: hall ${e.bridgePointId} counted twice`);
      chainHalls.set(e.bridgePointId, { bridgePointId: e.bridgePointId, present: e.present, counts: e.counts });
    }
    if (e.type === 'ballot') {
      if (!eligibleIds.has(e.voterId)) problems.push(`entry ${i}: delegate ${e.voterId} was not eligible`);
      if (chainOpen.has(e.voterId) !== e.replaces) problems.push(`entry ${i}: delegate ${e.voterId} voted twice`);
      chainOpen.set(e.voterId, e.choices);
    } else if (e.type === 'cast') {
      if (!e.replaces) casts++;
    } else if (e.type === 'closed') {
      closed = e;
      ended = true;
    }
    else if (e.type === 'cancelled') ended = true;
    else if (e.type === 'sealed') sealed.push(e);
    else if (e.type === 'receipts') receipts = e.receipts;
    else if (e.type === 'result') resultEntry = entry;
  }

  // The stored ballots must be exactly what the chain recorded.
  const ballots: CountedBallot[] = [];
  if (spec.mode === 'open') {
    const rows = new Map(s.openBallots.map((b) => [b.voterId, b.choices]));
    const key = (id: number, c: readonly string[]) => `${id}:${c.join(',')}`;
    if (!sameSet([...rows].map(([id, c]) => key(id, c)), [...chainOpen].map(([id, c]) => key(id, c)))) {
      problems.push('stored open ballots differ from the chain');
    }
    for (const [voterId, choices] of rows) ballots.push({ voterId, choices });
    if (!sameSet(s.voterIds.map(String), [...rows.keys()].map(String))) problems.push('voter list differs from the ballots');
  } else {
    for (const b of s.secretBallots) ballots.push({ voterId: null, choices: b.choices });
    // While the poll is open the ballots are sealed boxes (voting.crypto.ts); they are counted at close.
    if (ended && s.secretBallots.length !== casts) problems.push(`chain records ${casts} ballots cast, ${s.secretBallots.length} are stored`);
    if (s.voterIds.length !== casts) problems.push(`chain records ${casts} ballots cast, ${s.voterIds.length} voters are stored`);
    if (ended) {
      const key = (b: { choices: readonly string[] }) => b.choices.join(',');
      if (!sameSet(s.secretBallots.map(key), sealed.map(key))) problems.push('stored secret ballots differ from those sealed in the chain');
      // Polls sealed before receipts were listed apart have no `receipts` entry.
      if (receipts !== null && !sameSet(s.receipts, receipts)) problems.push('stored receipts differ from those sealed in the chain');
      if (receipts !== null && receipts.length !== casts) problems.push(`chain records ${casts} ballots cast, ${receipts.length} receipts are sealed`);
    }
  }
  const halls = [...chainHalls.values()];
  if (!sameSet((s.hallCounts ?? []).map(hallKey), halls.map(hallKey))) problems.push('stored hall counts differ from the chain');
  for (const id of s.voterIds) if (!eligibleIds.has(id)) problems.push(`delegate ${id} voted but was not eligible`);
  ballots.forEach((b, i) => {
    try {
      const normal = validateBallot(spec, b.choices);
      if (normal.join(',') !== b.choices.join(',')) problems.push(`ballot ${i} is not in canonical form`);
    } catch {
      problems.push(`ballot ${i} is not a valid ballot for this poll`);
    }
  });

  if (!closed || !opened || opened.type !== 'opened') return report(null);
  const head = resultEntry;
  const recomputed = computeResult({
    pollId: created.pollId,
    spec,
    invited: opened.invited,
    eligible,
    voterIds: new Set(s.voterIds),
    ballots,
    halls,
    closedAt: closed.at,
    chainHead: head?.hash ?? chain.head,
  });
  if (!head) problems.push('closed poll has no sealed result');
  else {
    const sealedResult = (head.payload as Extract<LedgerPayload, { type: 'result' }>).result;
    if (canonicalJson(sealedResult) !== canonicalJson(asSealed(withoutHead(recomputed), sealedResult))) problems.push('re-tally differs from the result sealed in the chain');
  }
  if (s.storedResult && canonicalJson(s.storedResult) !== canonicalJson(asSealed(recomputed, s.storedResult))) problems.push('re-tally differs from the stored result');
  return report(recomputed);
}
