/**
 * Voting service: adapts the pure poll core to the database and the realtime
 * layer. Every state change is one SQLite transaction (row + hash-chain entry
 * + audit) that commits before anything is acked or broadcast; ballots are
 * group-committed (db/group-commit.ts). Open polls are mirrored in memory for
 * turnout; the database stays the source of truth and the mirror is rebuilt
 * from it on start. Secret ballots are sealed boxes until the poll ends
 * (voting.crypto.ts).
 *
 * On a cluster (issue 12) only the node holding the meeting's lease (plugins/lease.ts) mirrors its open
 * poll, holds its ballot key and runs its countdown; the other nodes forward the meeting's commands to
 * it. A node that takes the meeting over rebuilds the mirror from the database, as after a restart
 * (`adopt`, the same path as `restore`), and a node that lost the lease closes nothing (`owns`).
 */
import { and, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { HallCountEntry, HallCountInfo, PollCreate, PollResult, PollSnapshot, PollView } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { agendaItems, meetings } from '../../db/schema.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { writeAudit } from '../../plugins/audit.ts';
import type { Realtime } from '../../plugins/realtime.ts';
import type { Audience } from '../../plugins/realtime-audience.ts';
import { writeOpenCast, writeSecretCast, type CastInput } from './voting.cast.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import { hallTallies, loadHalls, phoneVoteGuard, writeHallCount } from './voting.hall-store.ts';
import { pollSnapshot } from './voting.snapshot.ts';
import { newBallotKey, unwrapBallotKey, wrapBallotKey } from './voting.crypto.ts';
import type { LedgerPayload } from './voting.ledger.ts';
import { LivePolls, type LivePoll } from './voting.live.ts';
import { assertAcceptsBallots, isDue, transition, type CloseReason } from './voting.machine.ts';
import type { AttendanceSource } from './voting.presence.ts';
import * as repo from './voting.repo.ts';
import { computeResult } from './voting.result.ts';
import { buildSpec, validateBallot } from './voting.rules.ts';
import type { PollRow } from './voting.schema.ts';
import { sealSecretPoll, truncateWalSoon } from './voting.seal.ts';
import { clockOf, clockPatch, iso, pollView, rules } from './voting.views.ts';

export interface VotingOptions {
  attendance: AttendanceSource;
  /** APP_SECRET: wraps each secret poll's ballot key (voting.crypto.ts). */
  secret: string;
  /** Injected clock (epoch ms). */
  now?: () => number;
  /** Shortest interval between two turnout pushes of one poll. */
  pushIntervalMs?: number;
  /** Whether this node runs the meeting (its lease, on a cluster); always on a single node. */
  owns?: (meetingId: number) => boolean;
  /** Whether it holds the meeting though its lease's renewal is late (plugins/lease.ts): a due countdown then waits. */
  holds?: (meetingId: number) => boolean;
}

type Emit = Pick<Realtime, 'toMeeting' | 'toMeetingByAudience' | 'toManagers'>;

export class VotingService {
  readonly #db: Db;
  readonly #log: FastifyBaseLogger;
  readonly #now: () => number;
  readonly #attendance: AttendanceSource;
  readonly #emit: Emit;
  readonly #secret: string;
  readonly #commit: GroupCommit;
  readonly #owns: (meetingId: number) => boolean;
  readonly #holds: (meetingId: number) => boolean;
  /** Ballot keys of open secret polls; never written to the database unwrapped. */
  readonly #keys = new Map<number, Buffer>();
  readonly live: LivePolls;

  constructor(db: Db, emit: Emit, log: FastifyBaseLogger, opts: VotingOptions) {
    this.#db = db;
    this.#emit = emit;
    this.#log = log;
    this.#now = opts.now ?? Date.now;
    this.#attendance = opts.attendance;
    this.#secret = opts.secret;
    this.#owns = opts.owns ?? (() => true);
    this.#holds = opts.holds ?? this.#owns;
    this.#commit = new GroupCommit(db);
    this.live = new LivePolls(emit, opts.pushIntervalMs ?? 250, (id) => this.#autoClose(id), this.#now);
  }

  /** A poll of this meeting, or NOT_FOUND (also for a poll of another meeting). */
  #load(pollId: number, meetingId: number): PollRow {
    const row = repo.getPoll(this.#db, pollId);
    if (!row || row.meetingId !== meetingId) throw notFound('Poll');
    return row;
  }

  /** Appends to the chain on the shared connection: inside a transaction, it commits or rolls back with it. */
  #append(_tx: repo.Tx, pollId: number, ...payloads: LedgerPayload[]) {
    return repo.appendChain(this.#db, pollId, ...payloads);
  }

  /** Audits on the same connection, so inside a transaction it commits or rolls back with it. */
  #audit(_tx: repo.Tx, actorId: number | null, action: string, pollId: number, details?: unknown) {
    writeAudit(this.#db, { actorUserId: actorId, action, targetType: 'poll', targetId: pollId, details });
  }

  create(actorId: number, meetingId: number, input: PollCreate): PollView {
    const meeting = this.#db.select().from(meetings).where(eq(meetings.id, meetingId)).get();
    if (!meeting) throw notFound('Meeting');
    if (meeting.status === 'ended' || meeting.status === 'archived') throw new AppError('CONFLICT', 409, `The meeting has ${meeting.status}`);
    if (input.agendaItemId !== null) {
      const item = this.#db.select().from(agendaItems).where(and(eq(agendaItems.id, input.agendaItemId), eq(agendaItems.meetingId, meetingId))).get();
      if (!item) throw notFound('Agenda item');
    }
    const spec = rules(() => buildSpec(input));
    const title = input.title.trim();
    if (!title) throw new AppError('VALIDATION_FAILED', 400, 'A poll needs a title');
    const row = this.#db.transaction((tx) => {
      const created = repo.insertPoll(tx, { meetingId, agendaItemId: input.agendaItemId, title, spec, createdBy: actorId });
      this.#append(tx, created.id, { type: 'created', pollId: created.id, meetingId, agendaItemId: input.agendaItemId, title, spec, at: iso(this.#now())! });
      this.#audit(tx, actorId, 'poll.create', created.id, { title, kind: spec.kind, mode: spec.mode });
      return repo.getPoll(tx, created.id)!;
    });
    return pollView(row);
  }

  async open(actorId: number, meetingId: number, pollId: number): Promise<PollView> {
    // Read first: the checks below and the transaction then run in one synchronous stretch, so no other open slips in between.
    const { invited, present } = await this.#attendance(meetingId);
    const row = this.#load(pollId, meetingId);
    const now = this.#now();
    const clock = rules(() => transition(clockOf(row), 'open', now));
    const meeting = this.#db.select({ status: meetings.status }).from(meetings).where(eq(meetings.id, meetingId)).get();
    if (meeting?.status !== 'live') throw new AppError('MEETING_NOT_LIVE', 409, 'Start the meeting before opening a poll');
    if (this.live.ofMeeting(meetingId)) throw new AppError('CONFLICT', 409, 'Another poll of this meeting is open; close it first');
    // Freeze who may vote: invited delegates present right now.
    const eligible = invited.filter((v) => present.has(v.userId));
    if (eligible.length === 0) throw new AppError('CONFLICT', 409, 'No invited delegate is marked present; nobody could vote');
    const key = row.spec.mode === 'secret' ? newBallotKey() : null;
    const opened = this.#db.transaction((tx) => {
      const ballotKey = key ? wrapBallotKey(this.#secret, pollId, key) : null;
      repo.updatePoll(tx, pollId, { ...clockPatch(clock), invitedCount: invited.length, eligible, ballotKey });
      // Every eligible delegate's row exists from now on, so a vote only flips a flag in place.
      repo.insertVoters(this.#db, pollId, eligible.map((v) => v.userId));
      this.#append(tx, pollId, { type: 'opened', at: iso(now)!, closesAt: iso(clock.closesAt), invited: invited.length, eligible });
      this.#audit(tx, actorId, 'poll.open', pollId, { invited: invited.length, eligible: eligible.length });
      return repo.getPoll(tx, pollId)!;
    });
    if (key) this.#keys.set(pollId, key);
    const live = this.live.add(opened, new Set(), opened.spec.mode === 'open' ? [] : null);
    const poll = pollView(opened);
    const turnout = this.live.turnout(live);
    this.#emit.toMeetingByAudience(meetingId, { inOrder: true }).emitShaped('poll:opened', { poll, turnout }, { field: 'turnout' });
    return poll;
  }

  /** Closes an open poll, seals the ballots and the result into the chain, and tells every screen. */
  close(actorId: number | null, meetingId: number, pollId: number, reason: CloseReason = 'manual'): { poll: PollView; result: PollResult } {
    // Ballots already received are written before the poll closes.
    this.#commit.flush();
    const row = this.#load(pollId, meetingId);
    const clock = rules(() => transition(clockOf(row), 'close', this.#now(), reason));
    const secret = row.spec.mode === 'secret';
    const closed = this.#db.transaction((tx) => {
      repo.updatePoll(tx, pollId, clockPatch(clock));
      this.#append(tx, pollId, { type: 'closed', at: iso(clock.closedAt)!, reason });
      const voterIds = repo.loadVoterIds(tx, pollId);
      let ballots: { voterId: number | null; choices: string[] }[];
      if (secret) {
        ballots = this.#seal(tx, row).map((choices) => ({ voterId: null, choices }));
      } else {
        ballots = repo.loadOpenBallots(tx, pollId).map((b) => ({ voterId: b.voterId, choices: b.choices }));
      }
      const halls = hallTallies(loadHalls(tx, pollId));
      const { chainHead: _, ...core } = computeResult({
        pollId,
        spec: row.spec,
        invited: row.invitedCount ?? 0,
        eligible: row.eligible ?? [],
        voterIds: new Set(voterIds),
        ballots,
        halls,
        closedAt: iso(clock.closedAt)!,
        chainHead: '',
      });
      const entry = this.#append(tx, pollId, { type: 'result', result: core });
      repo.updatePoll(tx, pollId, { result: { ...core, chainHead: entry.hash } });
      this.#audit(tx, actorId, 'poll.close', pollId, { reason, outcome: core.outcome, voted: core.voted });
      return repo.getPoll(tx, pollId)!;
    });
    this.live.remove(pollId);
    const out = { poll: pollView(closed), result: closed.result! };
    this.#emit.toMeetingByAudience(meetingId, { inOrder: true }).emitShaped('poll:closed', out, { field: 'result' });
    if (secret) this.#truncateWal();
    return out;
  }

  /** Seals a secret poll inside the closing (or cancelling) transaction; see voting.seal.ts. */
  #seal(tx: repo.Tx, row: PollRow): string[][] {
    const key = this.#keyOf(row);
    this.#keys.delete(row.id);
    return sealSecretPoll(tx, row.id, key, (...payloads) => void this.#append(tx, row.id, ...payloads));
  }

  /** The ballot key of a secret poll: from memory, else unwrapped from the row (after a restart). */
  #keyOf(row: PollRow): Buffer | null {
    const key = this.#keys.get(row.id);
    if (key) return key;
    if (!row.ballotKey) return null;
    return unwrapBallotKey(this.#secret, row.id, row.ballotKey);
  }

  #truncateWal() {
    truncateWalSoon(this.#db, this.#log);
  }

  cancel(actorId: number, meetingId: number, pollId: number, reason: string): PollView {
    this.#commit.flush();
    const row = this.#load(pollId, meetingId);
    const clock = rules(() => transition(clockOf(row), 'cancel', this.#now()));
    const text = reason.trim() || 'Hủy biểu quyết';
    const cancelled = this.#db.transaction((tx) => {
      repo.updatePoll(tx, pollId, { ...clockPatch(clock), cancelReason: text });
      this.#append(tx, pollId, { type: 'cancelled', at: iso(clock.cancelledAt)!, reason: text });
      // Cancelled ballots are kept (anonymised and sealed) so the chain still verifies.
      if (row.spec.mode === 'secret' && row.status === 'open') this.#seal(tx, row);
      this.#audit(tx, actorId, 'poll.cancel', pollId, { reason: text, was: row.status });
      return repo.getPoll(tx, pollId)!;
    });
    this.live.remove(pollId);
    if (row.spec.mode === 'secret') this.#truncateWal();
    const poll = pollView(cancelled);
    this.#emit.toMeeting(meetingId).emit('poll:cancelled', { pollId, poll, reason: text });
    return poll;
  }

  publish(actorId: number, meetingId: number, pollId: number): { poll: PollView; result: PollResult; chainHead: string } {
    const row = this.#load(pollId, meetingId);
    const clock = rules(() => transition(clockOf(row), 'publish', this.#now()));
    const { published, head } = this.#db.transaction((tx) => {
      repo.updatePoll(tx, pollId, clockPatch(clock));
      const entry = this.#append(tx, pollId, { type: 'published', at: iso(clock.publishedAt)! });
      this.#audit(tx, actorId, 'poll.publish', pollId);
      return { published: repo.getPoll(tx, pollId)!, head: entry.hash };
    });
    const out = { poll: pollView(published), result: published.result!, chainHead: head };
    this.#emit.toMeetingByAudience(meetingId, { inOrder: true }).emitShaped('poll:published', out, { field: 'result' });
    return out;
  }

  /**
   * Casts (or changes) the user's own ballot. Resolves only after the voter
   * flag, the ballot and the chain entry are committed together, in a group
   * commit with the other casts of this event-loop turn.
   */
  async cast(userId: number, meetingId: number, pollId: number, choices: readonly string[], ballotId: string) {
    const live = this.#accepting(pollId, meetingId);
    if (!live.eligibleIds.has(userId)) throw new AppError('NOT_ELIGIBLE', 403, 'Only delegates present when the poll opened may vote');
    const ballot = rules(() => validateBallot(live.spec, choices));
    const secret = live.spec.mode === 'secret';
    const key = secret ? this.#keys.get(pollId) : undefined;
    if (secret && !key) throw new AppError('CONFLICT', 409, 'The ballot key of this poll could not be recovered');
    const input: CastInput = {
      db: this.#db,
      pollId,
      spec: live.spec,
      userId,
      ballotId: ballotId.toLowerCase(),
      ballot,
      now: this.#now(),
      append: (...payloads) => void this.#append(this.#db, pollId, ...payloads),
      // No double counting: a delegate of a hall whose count already covers everyone present there cannot add a phone vote.
      firstVote: secret ? null : phoneVoteGuard(this.#db, live, userId),
    };
    const out = await this.#commit.submit(
      () => {
        // The poll may have closed between the cast and its batch.
        if (this.live.get(pollId) !== live) throw new AppError('POLL_CLOSED', 409, 'The poll is closed');
        return key ? writeSecretCast(input, key) : writeOpenCast(input);
      },
      (r) => {
        if (r.wrote) this.live.recordBallot(live, userId, ballot, r.before);
      },
    );
    return { pollId, receipt: out.receipt, changed: out.changed };
  }

  /**
   * A bridge operator enters (or changes) their hall's count for the open
   * poll. Phone ballots already received are committed first, so the count is
   * checked against every phone voter of the hall (voting.hall.ts).
   */
  hallCount(actorId: number, meetingId: number, bridgePointId: number, entry: HallCountEntry): HallCountInfo {
    this.#commit.flush();
    const live = this.#accepting(entry.pollId, meetingId);
    const info = this.#db.transaction((tx) =>
      rules(() => writeHallCount(tx, live, bridgePointId, entry, actorId, this.#now(), (p) => void this.#append(tx, live.id, p), (d) => this.#audit(tx, actorId, 'poll.hall_count', live.id, d))),
    );
    this.live.recordHall(live, info);
    this.#emit.toMeeting(meetingId).emit('poll:hall-counted', info);
    return info;
  }

  /** The open poll of this meeting, accepting ballots now; else POLL_CLOSED (or NOT_FOUND for another meeting's). */
  #accepting(pollId: number, meetingId: number): LivePoll {
    const live = this.live.get(pollId);
    if (!live || live.meetingId !== meetingId) {
      const row = this.#load(pollId, meetingId);
      rules(() => assertAcceptsBallots(clockOf(row), this.#now()));
      throw new AppError('POLL_CLOSED', 409, 'The poll is closed');
    }
    rules(() => assertAcceptsBallots(live.clock, this.#now()));
    return live;
  }

  /** Called by the countdown timer; a no-op if the poll was closed meanwhile. */
  #autoClose(pollId: number): void {
    const live = this.live.get(pollId);
    if (!live) return;
    // Fencing: a node whose lease lapsed leaves the close to the node that takes the meeting over,
    // unless the lease is still ours and only its renewal is late: then it looks again shortly.
    if (!this.#owns(live.meetingId)) {
      if (this.#holds(live.meetingId)) live.closeTimer = setTimeout(() => this.#autoClose(pollId), 250);
      return;
    }
    if (!isDue(live.clock, this.#now())) return void this.live.schedule(live);
    try {
      this.close(null, live.meetingId, pollId, 'countdown');
    } catch (err) {
      this.#log.error({ err, pollId }, 'countdown close failed');
    }
  }

  /**
   * Rebuilds the mirror of open polls after a start (of one meeting, when this node takes it over);
   * closes those whose countdown ran out while down. Only the meetings this node runs.
   */
  restore(meetingId?: number): void {
    for (const row of repo.openPolls(this.#db)) {
      if ((meetingId !== undefined && row.meetingId !== meetingId) || !this.#owns(row.meetingId)) continue;
      try {
        const key = this.#keyOf(row);
        if (key) this.#keys.set(row.id, key);
      } catch (err) {
        // APP_SECRET changed while the poll was open: its ballots cannot be opened any more.
        this.#log.error({ err, pollId: row.id }, 'cannot unwrap the ballot key of an open secret poll');
      }
      const voted = new Set(repo.loadVoterIds(this.#db, row.id));
      const ballots = row.spec.mode === 'open' ? repo.loadOpenBallots(this.#db, row.id).map((b) => b.choices) : null;
      const live = this.live.add(row, voted, ballots, hallTallies(loadHalls(this.#db, row.id)));
      if (isDue(live.clock, this.#now())) this.#autoClose(row.id);
      this.#log.info({ pollId: row.id, voted: voted.size }, 'open poll restored');
    }
  }

  /** Meetings with an open poll, whose countdown needs an owner even when nobody votes. */
  openMeetings(): number[] {
    return [...new Set(repo.openPolls(this.#db).map((r) => r.meetingId))];
  }

  /** This node took the meeting over: its open poll is re-read from the database, whatever another node wrote. */
  adopt(meetingId: number): void {
    this.drop(meetingId);
    this.restore(meetingId);
  }

  /** This node lost the meeting to another: forget its open poll, ballot key and countdown. */
  drop(meetingId: number): void {
    for (let live = this.live.ofMeeting(meetingId); live; live = this.live.ofMeeting(meetingId)) {
      this.#keys.delete(live.id);
      this.live.remove(live.id);
    }
  }

  /** The voting part of the join snapshot, for one user. */
  snapshot(meetingId: number, userId: number, audience: Audience): PollSnapshot {
    return pollSnapshot(this.#db, this.live, meetingId, userId, audience);
  }

  stop(): void {
    this.#commit.flush();
    this.live.clear();
    this.#keys.clear();
  }
}

