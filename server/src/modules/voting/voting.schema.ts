/**
 * Voting tables.
 *
 * Secret ballots (see voting.crypto.ts for the whole design): `poll_voters`
 * has one row per eligible delegate, created at open in random order with
 * random ids, and a vote flips `voted` 0→1 in place (both are zero-byte
 * integers in SQLite's record format, so the cell keeps its size and its
 * place): the file's layout never reflects who voted when. While the poll is
 * open, ballots are AES-GCM boxes (`poll_ballot_boxes`) under a key kept out
 * of the file. At close or cancel they become two lists written in sorted
 * order and never joined: anonymous choices (`poll_secret_ballots`) and
 * receipts (`poll_receipts`). One ballot per delegate is enforced by the
 * UNIQUE index on (poll_id, user_id) and the in-place flip, not only by code.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { OptionCount, PollResult, PollStatus } from '@diemcau/shared';
import { agendaItems, bridgePoints, meetings, users } from '../../db/schema.ts';
import type { EligibleVoter } from './voting.result.ts';
import type { PollSpec } from './voting.rules.ts';
import type { ChainPayload } from './voting.chain.ts';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const polls = sqliteTable(
  'polls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    agendaItemId: integer('agenda_item_id').references(() => agendaItems.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    spec: text('spec', { mode: 'json' }).$type<PollSpec>().notNull(),
    status: text('status').$type<PollStatus>().notNull().default('draft'),
    // Lifecycle times are epoch ms: the countdown deadline must survive a restart exactly.
    openedAt: integer('opened_at'),
    closesAt: integer('closes_at'),
    closedAt: integer('closed_at'),
    closeReason: text('close_reason').$type<'manual' | 'countdown'>(),
    publishedAt: integer('published_at'),
    cancelledAt: integer('cancelled_at'),
    cancelReason: text('cancel_reason'),
    /** Frozen at open: how many delegates were invited, and who of them was present (= eligible). */
    invitedCount: integer('invited_count'),
    eligible: text('eligible', { mode: 'json' }).$type<EligibleVoter[]>(),
    // The chain head is not mirrored here: this row holds the eligible list (large), and
    // rewriting it on every ballot would cost more than the ballot itself.
    result: text('result', { mode: 'json' }).$type<PollResult>(),
    /** Secret polls while open: the ballot key wrapped under APP_SECRET (voting.crypto.ts); null once sealed. */
    ballotKey: text('ballot_key'),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('polls_meeting_ix').on(t.meetingId), index('polls_status_ix').on(t.status)],
);

/** The poll's append-only hash chain. */
export const pollChain = sqliteTable(
  'poll_chain',
  {
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    payload: text('payload', { mode: 'json' }).$type<ChainPayload>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.seq] })],
);

/** Who may vote and who has, in both modes. Random id; no time; UNIQUE per poll and delegate. */
export const pollVoters = sqliteTable(
  'poll_voters',
  {
    id: integer('id').primaryKey(),
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** 0 until the delegate votes. Rows from before pre-created voter rows are voters, hence the default. */
    voted: integer('voted').notNull().default(1),
  },
  (t) => [uniqueIndex('poll_voters_poll_user_uq').on(t.pollId, t.userId)],
);

/** Anonymous ballots of a sealed secret poll, written in canonical order. Random id; no time; no voter; no receipt. */
export const pollSecretBallots = sqliteTable('poll_secret_ballots', {
  id: integer('id').primaryKey(),
  pollId: integer('poll_id')
    .notNull()
    .references(() => polls.id, { onDelete: 'cascade' }),
  choices: text('choices', { mode: 'json' }).$type<string[]>().notNull(),
});

/** Receipts of a sealed secret poll, written in sorted order, with no link to any ballot. */
export const pollReceipts = sqliteTable(
  'poll_receipts',
  {
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    receipt: text('receipt').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.receipt] })],
);

/** Encrypted ballots of an open secret poll (voting.crypto.ts). Random id; fixed-size box; deleted at seal. */
export const pollBallotBoxes = sqliteTable(
  'poll_ballot_boxes',
  {
    id: integer('id').primaryKey(),
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    /** HMAC(K, device ballot id): finds the box again on a retry or a change. */
    tag: text('tag').notNull(),
    box: blob('box', { mode: 'buffer' }).notNull(),
  },
  (t) => [uniqueIndex('poll_ballot_boxes_tag_uq').on(t.pollId, t.tag)],
);

/** Named ballots of open polls. */
export const pollOpenBallots = sqliteTable(
  'poll_open_ballots',
  {
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    choices: text('choices', { mode: 'json' }).$type<string[]>().notNull(),
    /** Epoch ms; open ballots are named anyway, so their time reveals nothing more. */
    castAt: integer('cast_at').notNull(),
    /** The device's ballot id, so a retry gets the original ack. */
    ballotId: text('ballot_id'),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);

/**
 * Open polls: a bridge operator's count of their hall by show of hands, one
 * row per poll and bridge point, changeable until the poll closes (each
 * change is a chain entry). See voting.hall.ts for the rules.
 */
export const pollHallCounts = sqliteTable(
  'poll_hall_counts',
  {
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    bridgePointId: integer('bridge_point_id')
      .notNull()
      .references(() => bridgePoints.id),
    /** Delegates present in the hall, as the operator counted them. */
    present: integer('present').notNull(),
    /** Votes per option, in option order. */
    counts: text('counts', { mode: 'json' }).$type<OptionCount[]>().notNull(),
    enteredBy: integer('entered_by').references(() => users.id),
    /** Epoch ms of the latest entry or change. */
    enteredAt: integer('entered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.bridgePointId] })],
);

export type PollRow = typeof polls.$inferSelect;
export type HallCountRow = typeof pollHallCounts.$inferSelect;
