/**
 * What each step of a poll's life writes, inside the one transaction the service opens for it: the
 * poll row, its chain entries and the audit entry together. Each step first takes the poll's chain
 * lock and reads the poll under it (`lockedPoll`), so the transition is decided on the state it is
 * written over, whichever node wrote last. The service (voting.service.ts) decides when, keeps the
 * in-memory mirror and tells the screens.
 */
import { and, eq } from 'drizzle-orm';
import type { HallCountEntry, HallCountInfo, PollCreate } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { appendAudit } from '../audit/audit.store.ts';
import { hallTallies, loadHalls, writeHallCount } from './voting.hall-store.ts';
import type { LedgerPayload } from './voting.ledger.ts';
import type { LivePoll } from './voting.live.ts';
import { assertAcceptsBallots, transition, type CloseReason } from './voting.machine.ts';
import * as repo from './voting.repo.ts';
import { computeResult, type EligibleVoter } from './voting.result.ts';
import { buildSpec } from './voting.rules.ts';
import type { PollRow } from './voting.schema.ts';
import { sealSecretPoll } from './voting.seal.ts';
import { clockOf, clockPatch, iso, rules } from './voting.views.ts';

/** Who does it, to which poll, when. */
export interface Step {
  actorId: number | null;
  meetingId: number;
  pollId: number;
  now: number;
}

/** A secret poll's ballot key, from the service's memory or unwrapped from the row. */
export type KeyOf = (row: PollRow) => Buffer | null;

/** A poll of this meeting, or NOT_FOUND (also for a poll of another meeting). */
export async function loadPoll(s: Store, pollId: number, meetingId: number): Promise<PollRow> {
  const row = await repo.getPoll(s, pollId);
  if (!row || row.meetingId !== meetingId) throw notFound('Poll');
  return row;
}

/** Inside a transaction that will append to the poll's chain: takes its lock, then reads the poll. */
export async function lockedPoll(s: Store, pollId: number, meetingId: number): Promise<PollRow> {
  await repo.lockChain(s, pollId);
  return loadPoll(s, pollId, meetingId);
}

export async function meetingStatus({ q, t }: Store, meetingId: number): Promise<string | undefined> {
  const [meeting] = await q.select({ status: t.meetings.status }).from(t.meetings).where(eq(t.meetings.id, meetingId));
  return meeting?.status;
}

export const auditPoll = (s: Store, actorId: number | null, action: string, pollId: number, details?: unknown) =>
  appendAudit(s, { actorUserId: actorId, action, targetType: 'poll', targetId: pollId, details });

/** Reads the poll back as committed: the row the screens are told about. */
const reread = async (s: Store, pollId: number): Promise<PollRow> => (await repo.getPoll(s, pollId))!;

export async function createPoll(s: Store, actorId: number, meetingId: number, input: PollCreate, now: number): Promise<PollRow> {
  const status = await meetingStatus(s, meetingId);
  if (!status) throw notFound('Meeting');
  if (status === 'ended' || status === 'archived') throw new AppError('CONFLICT', 409, `The meeting has ${status}`);
  if (input.agendaItemId !== null) {
    const { agendaItems } = s.t;
    const [item] = await s.q.select({ id: agendaItems.id }).from(agendaItems).where(and(eq(agendaItems.id, input.agendaItemId), eq(agendaItems.meetingId, meetingId)));
    if (!item) throw notFound('Agenda item');
  }
  const spec = rules(() => buildSpec(input));
  const title = input.title.trim();
  if (!title) throw new AppError('VALIDATION_FAILED', 400, 'A poll needs a title');
  const created = await repo.insertPoll(s, { meetingId, agendaItemId: input.agendaItemId, title, spec, createdBy: actorId });
  await repo.appendChain(s, created.id, { type: 'created', pollId: created.id, meetingId, agendaItemId: input.agendaItemId, title, spec, at: iso(now)! });
  await auditPoll(s, actorId, 'poll.create', created.id, { title, kind: spec.kind, mode: spec.mode });
  return created;
}

/** The poll, if it may open now, the meeting being live; read before the service checks its mirror and the attendance. */
export async function openablePoll(s: Store, pollId: number, meetingId: number, now: number): Promise<PollRow> {
  const row = await loadPoll(s, pollId, meetingId);
  rules(() => transition(clockOf(row), 'open', now));
  if ((await meetingStatus(s, meetingId)) !== 'live') throw new AppError('MEETING_NOT_LIVE', 409, 'Start the meeting before opening a poll');
  return row;
}

/** Opens the poll with its eligible list frozen; `ballotKey`: a secret poll's key, wrapped. */
export async function openPoll(s: Store, { actorId, meetingId, pollId, now }: Step, invited: number, eligible: EligibleVoter[], ballotKey: string | null): Promise<PollRow> {
  const row = await lockedPoll(s, pollId, meetingId);
  const clock = rules(() => transition(clockOf(row), 'open', now));
  await repo.updatePoll(s, pollId, { ...clockPatch(clock), invitedCount: invited, eligible, ballotKey });
  // Every eligible delegate's row exists from now on, so a vote only flips a flag in place.
  await repo.insertVoters(s, pollId, eligible.map((v) => v.userId));
  await repo.appendChain(s, pollId, { type: 'opened', at: iso(now)!, closesAt: iso(clock.closesAt), invited, eligible });
  await auditPoll(s, actorId, 'poll.open', pollId, { invited, eligible: eligible.length });
  return reread(s, pollId);
}

/** Closes the poll: a secret one's ballots sealed, the result computed and sealed into the chain. */
export async function closePoll(s: Store, { actorId, meetingId, pollId, now }: Step, reason: CloseReason, keyOf: KeyOf): Promise<PollRow> {
  const row = await lockedPoll(s, pollId, meetingId);
  const clock = rules(() => transition(clockOf(row), 'close', now, reason));
  await repo.updatePoll(s, pollId, clockPatch(clock));
  await repo.appendChain(s, pollId, { type: 'closed', at: iso(clock.closedAt)!, reason });
  const voterIds = await repo.loadVoterIds(s, pollId);
  const ballots =
    row.spec.mode === 'secret'
      ? (await seal(s, row, keyOf)).map((choices) => ({ voterId: null, choices }))
      : (await repo.loadOpenBallots(s, pollId)).map((b) => ({ voterId: b.voterId, choices: b.choices }));
  const { chainHead: _, ...core } = computeResult({
    pollId,
    spec: row.spec,
    invited: row.invitedCount ?? 0,
    eligible: row.eligible ?? [],
    voterIds: new Set(voterIds),
    ballots,
    halls: hallTallies(await loadHalls(s, pollId)),
    closedAt: iso(clock.closedAt)!,
    chainHead: '',
  });
  const entry = await repo.appendChain(s, pollId, { type: 'result', result: core });
  await repo.updatePoll(s, pollId, { result: { ...core, chainHead: entry.hash } });
  await auditPoll(s, actorId, 'poll.close', pollId, { reason, outcome: core.outcome, voted: core.voted });
  return reread(s, pollId);
}

/** Cancels the poll. Its ballots are kept (anonymised and sealed) so the chain still verifies. */
export async function cancelPoll(s: Store, { actorId, meetingId, pollId, now }: Step, reason: string, keyOf: KeyOf): Promise<PollRow> {
  const row = await lockedPoll(s, pollId, meetingId);
  const clock = rules(() => transition(clockOf(row), 'cancel', now));
  await repo.updatePoll(s, pollId, { ...clockPatch(clock), cancelReason: reason });
  await repo.appendChain(s, pollId, { type: 'cancelled', at: iso(clock.cancelledAt)!, reason });
  if (row.spec.mode === 'secret' && row.status === 'open') await seal(s, row, keyOf);
  await auditPoll(s, actorId, 'poll.cancel', pollId, { reason, was: row.status });
  return reread(s, pollId);
}

/** Publishes the result; returns the row and the chain's head after the `published` entry. */
export async function publishPoll(s: Store, { actorId, meetingId, pollId, now }: Step): Promise<{ row: PollRow; head: string }> {
  const row = await lockedPoll(s, pollId, meetingId);
  const clock = rules(() => transition(clockOf(row), 'publish', now));
  await repo.updatePoll(s, pollId, clockPatch(clock));
  const entry = await repo.appendChain(s, pollId, { type: 'published', at: iso(clock.publishedAt)! });
  await auditPoll(s, actorId, 'poll.publish', pollId);
  return { row: await reread(s, pollId), head: entry.hash };
}

/** Enters (or changes) a hall's count for the open poll `live` (voting.hall-store.ts), if the poll still accepts ballots. */
export async function countHall(s: Store, actorId: number, live: LivePoll, meetingId: number, bridgePointId: number, entry: HallCountEntry, now: number): Promise<HallCountInfo> {
  const row = await lockedPoll(s, live.id, meetingId);
  rules(() => assertAcceptsBallots(clockOf(row), now));
  const append = (p: LedgerPayload) => repo.appendChain(s, live.id, p);
  return writeHallCount(s, live, bridgePointId, entry, actorId, now, append, (d) => auditPoll(s, actorId, 'poll.hall_count', live.id, d));
}

/** Seals a secret poll inside the closing (or cancelling) transaction; see voting.seal.ts. */
const seal = (s: Store, row: PollRow, keyOf: KeyOf): Promise<string[][]> =>
  sealSecretPoll(s, row.id, keyOf(row), (...payloads) => repo.appendChain(s, row.id, ...payloads));
