/**
 * Voting tables.
 *
 * Secret ballots: `poll_voters` says who voted, `poll_secret_ballots` holds
 * the anonymous ballots, and nothing links the two: no shared id, no foreign
 * key between them, no timestamps. Both use random integer primary keys
 * (which SQLite also uses as the rowid), because an autoincrement or implicit
 * rowid would number rows in insertion order and so pair the n-th voter with
 * the n-th ballot. One ballot per delegate is enforced by the UNIQUE index on
 * (poll_id, user_id), not only by code.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { PollResult, PollStatus } from '@diemcau/shared';
import { agendaItems, meetings, users } from '../../db/schema.ts';
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

/** Who has voted, in both modes. Random id; no time; UNIQUE per poll and delegate. */
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
  },
  (t) => [uniqueIndex('poll_voters_poll_user_uq').on(t.pollId, t.userId)],
);

/** Anonymous ballots of secret polls. Random id; no time; no voter. */
export const pollSecretBallots = sqliteTable(
  'poll_secret_ballots',
  {
    id: integer('id').primaryKey(),
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    choices: text('choices', { mode: 'json' }).$type<string[]>().notNull(),
    /** Random code given only to the voter, to find their ballot in the published list. */
    receipt: text('receipt').notNull(),
  },
  (t) => [uniqueIndex('poll_secret_ballots_receipt_uq').on(t.pollId, t.receipt)],
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
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);

export type PollRow = typeof polls.$inferSelect;
