/**
 * Voting service: adapts the pure poll core to the database and the realtime
 * layer. Every state change is one transaction (row + hash-chain entry +
 * audit, voting.lifecycle.ts) that commits before anything is acked or
 * broadcast; ballots are group-committed (db/group-commit.ts). Every
 * transaction that appends to a poll's chain first takes the poll's chain lock
 * (repo.lockChain) and reads the poll's state under it, so the state a change
 * is decided on is the state it is written over, on every node. One meeting's
 * lifecycle commands run one after another on a node (voting.turns.ts). Open polls are mirrored in memory
 * for turnout; the database stays the source of truth and the mirror is
 * rebuilt from it on start. Secret ballots are sealed boxes until the poll
 * ends (voting.crypto.ts), their keys held in memory (voting.keys.ts).
 *
 * On a cluster (issue 12) only the node holding the meeting's lease (plugins/lease.ts) mirrors its open
 * poll, holds its ballot key and runs its countdown; the other nodes forward the meeting's commands to
 * it. A node that takes the meeting over rebuilds the mirror from the database, as after a restart
 * (`adopt`, the same path as `restore`), and a node that lost the lease closes nothing (`owns`).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { HallCountEntry, HallCountInfo, PollCreate, PollResult, PollSnapshot, PollView } from '@diemcau/shared';
import type { Database } from '../../db/database.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Realtime } from '../../plugins/realtime.ts';
import type { Audience } from '../../plugins/realtime-audience.ts';
import { writeOpenCast, writeSecretCast, type CastInput } from './voting.cast.ts';
import { hallTallies, loadHalls, phoneVoteGuard } from './voting.hall-store.ts';
import { BallotKeys } from './voting.keys.ts';
import { cancelPoll, closePoll, countHall, createPoll, loadPoll, openablePoll, openPoll, publishPoll, type Step } from './voting.lifecycle.ts';
import { LivePolls, type LivePoll } from './voting.live.ts';
import { assertAcceptsBallots, isDue, type CloseReason } from './voting.machine.ts';
import type { AttendanceSource } from './voting.presence.ts';
import * as repo from './voting.repo.ts';
import { validateBallot } from './voting.rules.ts';
import type { PollRow } from './voting.schema.ts';
import { scrubAfterSealing } from './voting.seal.ts';
import { pollSnapshot } from './voting.snapshot.ts';
import { MeetingTurns } from './voting.turns.ts';
import { clockOf, pollView, rules } from './voting.views.ts';

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

const pollClosed = () => new AppError('POLL_CLOSED', 409, 'The poll is closed');

export class VotingService {
  readonly #db: Database;
  readonly #log: FastifyBaseLogger;
  readonly #now: () => number;
  readonly #attendance: AttendanceSource;
  readonly #emit: Emit;
  readonly #commit: GroupCommit;
  readonly #owns: (meetingId: number) => boolean;
  readonly #holds: (meetingId: number) => boolean;
  /** Ballot keys of open secret polls (voting.keys.ts). */
  readonly #keys: BallotKeys;
  /** Each meeting's lifecycle commands, one after another on this node (voting.turns.ts). */
  readonly #turns = new MeetingTurns();
  readonly live: LivePolls;

  constructor(db: Database, emit: Emit, log: FastifyBaseLogger, opts: VotingOptions) {
    this.#db = db;
    this.#emit = emit;
    this.#log = log;
    this.#now = opts.now ?? Date.now;
    this.#attendance = opts.attendance;
    this.#keys = new BallotKeys(opts.secret, log);
    this.#owns = opts.owns ?? (() => true);
    this.#holds = opts.holds ?? this.#owns;
    this.#commit = new GroupCommit(db);
    this.live = new LivePolls(emit, opts.pushIntervalMs ?? 250, (id) => this.#autoClose(id), this.#now);
  }

  /** Who does it, to which poll, now. */
  #step(actorId: number | null, meetingId: number, pollId: number): Step {
    return { actorId, meetingId, pollId, now: this.#now() };
  }

  async create(actorId: number, meetingId: number, input: PollCreate): Promise<PollView> {
    return pollView(await this.#db.tx((s) => createPoll(s, actorId, meetingId, input, this.#now())));
  }

  open(actorId: number, meetingId: number, pollId: number): Promise<PollView> {
    return this.#turns.run(meetingId, async () => {
      const step = this.#step(actorId, meetingId, pollId);
      // The checks in the synchronous service's order; attendance (another module's) outside any transaction.
      const row = await this.#db.run((s) => openablePoll(s, pollId, meetingId, step.now));
      if (this.live.ofMeeting(meetingId)) throw new AppError('CONFLICT', 409, 'Another poll of this meeting is open; close it first');
      // Freeze who may vote: invited delegates present right now.
      const { invited, present } = await this.#attendance(meetingId);
      const eligible = invited.filter((v) => present.has(v.userId));
      if (eligible.length === 0) throw new AppError('CONFLICT', 409, 'No invited delegate is marked present; nobody could vote');
      const { key, wrapped } = this.#keys.mint(pollId, row.spec.mode);
      const opened = await this.#db.tx((s) => openPoll(s, step, invited.length, eligible, wrapped));
      this.#keys.keep(pollId, key);
      const live = this.live.add(opened, new Set(), opened.spec.mode === 'open' ? [] : null);
      const poll = pollView(opened);
      const turnout = this.live.turnout(live);
      this.#emit.toMeetingByAudience(meetingId, { inOrder: true }).emitShaped('poll:opened', { poll, turnout }, { field: 'turnout' });
      return poll;
    });
  }

  /** Closes an open poll, seals the ballots and the result into the chain, and tells every screen. */
  close(actorId: number | null, meetingId: number, pollId: number, reason: CloseReason = 'manual'): Promise<{ poll: PollView; result: PollResult }> {
    return this.#turns.run(meetingId, () => this.#close(actorId, meetingId, pollId, reason));
  }

  async #close(actorId: number | null, meetingId: number, pollId: number, reason: CloseReason) {
    // Ballots already received are written before the poll closes; any batched later find it closed.
    await this.#commit.flush();
    const closed = await this.#db.tx((s) => closePoll(s, this.#step(actorId, meetingId, pollId), reason, this.#keys.of));
    this.#ended(closed);
    const out = { poll: pollView(closed), result: closed.result! };
    this.#emit.toMeetingByAudience(meetingId, { inOrder: true }).emitShaped('poll:closed', out, { field: 'result' });
    return out;
  }

  /** A poll closed or cancelled (committed): out of the mirror, its key forgotten, a secret one's old WAL pages gone. */
  #ended(row: PollRow): void {
    this.live.remove(row.id);
    this.#keys.forget(row.id);
    if (row.spec.mode === 'secret') scrubAfterSealing(this.#db, this.#log);
  }

  cancel(actorId: number, meetingId: number, pollId: number, reason: string): Promise<PollView> {
    return this.#turns.run(meetingId, async () => {
      await this.#commit.flush();
      const text = reason.trim() || 'Hủy biểu quyết';
      const cancelled = await this.#db.tx((s) => cancelPoll(s, this.#step(actorId, meetingId, pollId), text, this.#keys.of));
      this.#ended(cancelled);
      const poll = pollView(cancelled);
      this.#emit.toMeeting(meetingId).emit('poll:cancelled', { pollId, poll, reason: text });
      return poll;
    });
  }

  publish(actorId: number, meetingId: number, pollId: number): Promise<{ poll: PollView; result: PollResult; chainHead: string }> {
    return this.#turns.run(meetingId, async () => {
      const { row, head } = await this.#db.tx((s) => publishPoll(s, this.#step(actorId, meetingId, pollId)));
      const out = { poll: pollView(row), result: row.result!, chainHead: head };
      this.#emit.toMeetingByAudience(meetingId, { inOrder: true }).emitShaped('poll:published', out, { field: 'result' });
      return out;
    });
  }

  /**
   * Casts (or changes) the user's own ballot. Resolves only after the voter
   * flag, the ballot and the chain entry are committed together, in a group
   * commit with the other casts of this event-loop turn.
   */
  async cast(userId: number, meetingId: number, pollId: number, choices: readonly string[], ballotId: string) {
    // Not mirrored: the meeting may be being taken over (or the poll opened); the mirror is whole at the end of its turn.
    if (!this.live.get(pollId)) await this.#turns.idle(meetingId);
    const live = await this.#accepting(pollId, meetingId);
    if (!live.eligibleIds.has(userId)) throw new AppError('NOT_ELIGIBLE', 403, 'Only delegates present when the poll opened may vote');
    const ballot = rules(() => validateBallot(live.spec, choices));
    const secret = live.spec.mode === 'secret';
    const key = secret ? this.#keys.get(pollId) : undefined;
    if (secret && !key) throw new AppError('CONFLICT', 409, 'The ballot key of this poll could not be recovered');
    const input: CastInput = {
      pollId,
      spec: live.spec,
      userId,
      ballotId: ballotId.toLowerCase(),
      ballot,
      now: this.#now(),
      // No double counting: a delegate of a hall whose count already covers everyone present there cannot add a phone vote.
      firstVote: secret ? null : phoneVoteGuard(live, userId),
    };
    const out = await this.#commit.submit(
      async (s) => {
        // The poll may have closed between the cast and its batch: here, or (a lapsed lease) on another node,
        // which its chain entry finds (voting.cast.ts). What the cast reads, it reads under the chain lock.
        if (this.live.get(pollId) !== live) throw pollClosed();
        await repo.lockChain(s, pollId);
        return key ? writeSecretCast(s, input, key) : writeOpenCast(s, input);
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
  hallCount(actorId: number, meetingId: number, bridgePointId: number, entry: HallCountEntry): Promise<HallCountInfo> {
    return this.#turns.run(meetingId, async () => {
      await this.#commit.flush();
      const live = await this.#accepting(entry.pollId, meetingId);
      const now = this.#now();
      const info = await this.#db.tx((s) => countHall(s, actorId, live, meetingId, bridgePointId, entry, now));
      this.live.recordHall(live, info);
      this.#emit.toMeeting(meetingId).emit('poll:hall-counted', info);
      return info;
    });
  }

  /** The open poll of this meeting, accepting ballots now; else POLL_CLOSED (or NOT_FOUND for another meeting's). */
  async #accepting(pollId: number, meetingId: number): Promise<LivePoll> {
    const live = this.live.get(pollId);
    if (!live || live.meetingId !== meetingId) {
      const row = await this.#db.run((s) => loadPoll(s, pollId, meetingId));
      rules(() => assertAcceptsBallots(clockOf(row), this.#now()));
      throw pollClosed();
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
    const closing = this.#turns.run(live.meetingId, async () => {
      // A close (or cancel) queued before this one has done it already.
      if (this.live.get(pollId) === live) await this.#close(null, live.meetingId, pollId, 'countdown');
    });
    closing.catch((err: unknown) => this.#log.error({ err, pollId }, 'countdown close failed'));
  }

  /**
   * Rebuilds the mirror of open polls after a start (of one meeting, when this node takes it over);
   * closes those whose countdown ran out while down. Only the meetings this node runs.
   */
  async restore(meetingId?: number): Promise<void> {
    for (const row of await this.#db.run((s) => repo.openPolls(s))) {
      if ((meetingId !== undefined && row.meetingId !== meetingId) || !this.#owns(row.meetingId)) continue;
      this.#keys.recover(row);
      const { voted, ballots, halls } = await this.#db.run(async (s) => ({
        voted: new Set(await repo.loadVoterIds(s, row.id)),
        ballots: row.spec.mode === 'open' ? (await repo.loadOpenBallots(s, row.id)).map((b) => b.choices) : null,
        halls: hallTallies(await loadHalls(s, row.id)),
      }));
      const live = this.live.add(row, voted, ballots, halls);
      if (isDue(live.clock, this.#now())) this.#autoClose(row.id);
      this.#log.info({ pollId: row.id, voted: voted.size }, 'open poll restored');
    }
  }

  /** Meetings with an open poll, whose countdown needs an owner even when nobody votes. */
  async openMeetings(): Promise<number[]> {
    return [...new Set((await this.#db.run((s) => repo.openPolls(s))).map((r) => r.meetingId))];
  }

  /** This node took the meeting over: its open poll is re-read from the database, whatever another node wrote. */
  adopt(meetingId: number): Promise<void> {
    return this.#turns.run(meetingId, async () => {
      this.drop(meetingId);
      await this.restore(meetingId);
    });
  }

  /** This node lost the meeting to another: forget its open poll, ballot key and countdown. */
  drop(meetingId: number): void {
    for (let live = this.live.ofMeeting(meetingId); live; live = this.live.ofMeeting(meetingId)) {
      this.#keys.forget(live.id);
      this.live.remove(live.id);
    }
  }

  /** The voting part of the join snapshot, for one user. */
  snapshot(meetingId: number, userId: number, audience: Audience): Promise<PollSnapshot> {
    return this.#db.run((s) => pollSnapshot(s, this.live, meetingId, userId, audience));
  }

  async stop(): Promise<void> {
    await this.#commit.flush();
    this.live.clear();
    this.#keys.clear();
  }
}
