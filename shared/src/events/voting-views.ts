/**
 * Live voting (biểu quyết) vocabulary and views: poll kinds, ballot modes and
 * majority rules, the poll, turnout and result views, the voting part of the
 * `meeting:join` snapshot, and the HTTP shapes. The commands and broadcasts
 * that carry them are in voting.ts.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { BRIDGE_LEVELS } from '../domain.ts';

export const POLL_KINDS = ['approval', 'single', 'multiple', 'election'] as const;
export type PollKind = (typeof POLL_KINDS)[number];
export const BALLOT_MODES = ['open', 'secret'] as const;
export type BallotMode = (typeof BALLOT_MODES)[number];
/**
 * simple: more than half of the votes cast (abstentions are not votes cast);
 * absolute: more than half of all eligible delegates;
 * two_thirds: at least two thirds of all eligible delegates.
 */
export const MAJORITY_RULES = ['simple', 'absolute', 'two_thirds'] as const;
export type MajorityRule = (typeof MAJORITY_RULES)[number];
export const POLL_STATUSES = ['draft', 'open', 'closed', 'published', 'cancelled'] as const;
export type PollStatus = (typeof POLL_STATUSES)[number];
export const POLL_OUTCOMES = ['passed', 'rejected', 'tie', 'no_quorum'] as const;
export type PollOutcome = (typeof POLL_OUTCOMES)[number];

/** The three fixed answers of an approval poll, in the order ballots show them. */
export const APPROVAL_OPTIONS = [
  { id: 'yes', label: 'Tán thành' },
  { id: 'no', label: 'Không tán thành' },
  { id: 'abstain', label: 'Không biểu quyết' },
] as const;

const Id = Type.Integer({ minimum: 1 });
const IsoTime = Type.String({ maxLength: 40 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const BridgeLevel = Type.Enum(BRIDGE_LEVELS);
const OptionId = Type.String({ minLength: 1, maxLength: 16, pattern: '^[a-z0-9]+$' });
/** Receipt codes look like `K7QM-2XD4-R9TB`: Crockford base32, no look-alike letters. */
export const RECEIPT_PATTERN = '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$';
const Receipt = Type.String({ pattern: RECEIPT_PATTERN });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const PollKindSchema = Type.Enum(POLL_KINDS);
export const BallotModeSchema = Type.Enum(BALLOT_MODES);
export const MajorityRuleSchema = Type.Enum(MAJORITY_RULES);
/**
 * Whom an absolute or two-thirds majority counts against: the delegates present
 * when the poll opened ("trên tổng số đại biểu có mặt", the default) or all
 * invited ("trên tổng số đại biểu được triệu tập"). A simple majority is always of the votes cast.
 */
export const MAJORITY_BASES = ['present', 'invited'] as const;
export type MajorityBase = (typeof MAJORITY_BASES)[number];
export const MajorityBaseSchema = Type.Enum(MAJORITY_BASES);
export const PollStatusSchema = Type.Enum(POLL_STATUSES);
export const PollOutcomeSchema = Type.Enum(POLL_OUTCOMES);

/** Quorum as a fraction of invited delegates: met when present/invited > num/den (or >= when `inclusive`). */
export const QuorumRule = Type.Object(
  {
    num: Type.Integer({ minimum: 0, maximum: 1000 }),
    den: Type.Integer({ minimum: 1, maximum: 1000 }),
    inclusive: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type QuorumRule = Static<typeof QuorumRule>;
export const DEFAULT_QUORUM: QuorumRule = { num: 1, den: 2, inclusive: false };

export const PollOption = Type.Object({ id: OptionId, label: Type.String() });
export type PollOption = Static<typeof PollOption>;

export const PollView = Type.Object({
  id: Id,
  meetingId: Id,
  agendaItemId: Nullable(Id),
  title: Type.String(),
  kind: PollKindSchema,
  options: Type.Array(PollOption),
  minChoices: Type.Integer(),
  maxChoices: Type.Integer(),
  mode: BallotModeSchema,
  majority: MajorityRuleSchema,
  majorityBase: Type.Optional(MajorityBaseSchema),
  quorum: QuorumRule,
  durationSeconds: Nullable(Type.Integer()),
  allowChange: Type.Boolean(),
  status: PollStatusSchema,
  openedAt: Nullable(IsoTime),
  closesAt: Nullable(IsoTime),
  closedAt: Nullable(IsoTime),
  publishedAt: Nullable(IsoTime),
  cancelledAt: Nullable(IsoTime),
  /** Frozen when the poll opens: invited delegates, and those of them present (= eligible). */
  invitedCount: Nullable(Type.Integer()),
  eligibleCount: Nullable(Type.Integer()),
  quorumMet: Nullable(Type.Boolean()),
});
export type PollView = Static<typeof PollView>;

const TurnoutCell = { voted: Type.Integer(), eligible: Type.Integer() };
export const Turnout = Type.Object({
  pollId: Id,
  ...TurnoutCell,
  byLevel: Type.Array(Type.Object({ level: BridgeLevel, ...TurnoutCell })),
  /** bridgePointId null groups delegates attending from their own device with no bridge point. */
  byBridgePoint: Type.Array(
    Type.Object({ bridgePointId: Nullable(Id), name: Type.String(), level: BridgeLevel, ...TurnoutCell }),
  ),
});
export type Turnout = Static<typeof Turnout>;

export const OptionCount = Type.Object({ id: OptionId, votes: Type.Integer() });
export type OptionCount = Static<typeof OptionCount>;

/** A bridge point's hall count (open polls): delegates present in the hall and the votes counted there by show of hands. */
export const HallCountInfo = Type.Object({
  pollId: Id,
  bridgePointId: Id,
  present: Type.Integer({ minimum: 0 }),
  counts: Type.Array(Type.Object({ id: Type.String(), votes: Type.Integer({ minimum: 0 }) })),
  /** Votes in the count (the hall's ballots). */
  votes: Type.Integer({ minimum: 0 }),
  /** Delegates of this hall who voted by phone: never counted again in the hall count. */
  phoneVoters: Type.Integer({ minimum: 0 }),
  enteredAt: IsoTime,
});
export type HallCountInfo = Static<typeof HallCountInfo>;

const Subtotal = {
  ...TurnoutCell,
  /** This bridge point's hall count, when its operator entered one (open polls). */
  hall: Type.Optional(Nullable(Type.Object({ present: Type.Integer(), votes: Type.Integer() }))),
  /** Per-option counts; only for open ballots. Secret ballots carry no place, so they have no subtotals by place. */
  counts: Nullable(Type.Array(OptionCount)),
};

export const PollResult = Type.Object({
  pollId: Id,
  kind: PollKindSchema,
  mode: BallotModeSchema,
  majority: MajorityRuleSchema,
  quorum: Type.Object({ rule: QuorumRule, invited: Type.Integer(), present: Type.Integer(), met: Type.Boolean() }),
  eligible: Type.Integer(),
  /** Ballots cast. */
  voted: Type.Integer(),
  /** Denominator the majority rule compares against (votes cast, or eligible). */
  base: Type.Integer(),
  /** What `base` counts: votes cast, delegates present (eligible) or delegates invited (được triệu tập). */
  baseKind: Type.Optional(Type.Enum(['votes_cast', 'present', 'invited'])),
  /** Where the ballots came from: cast on phones, or counted by show of hands in a hall. */
  sources: Type.Optional(Type.Object({ phone: Type.Integer(), hall: Type.Integer() })),
  /** Fewest votes an option needed to carry. */
  required: Type.Integer(),
  options: Type.Array(Type.Object({ id: OptionId, label: Type.String(), votes: Type.Integer(), carried: Type.Boolean() })),
  outcome: PollOutcomeSchema,
  /** Options that carried (approval: ['yes']; single: the winner; election: those elected). */
  winners: Type.Array(OptionId),
  /** Options tied for the last place(s) to be filled; nobody among them is declared. */
  tied: Type.Array(OptionId),
  byLevel: Type.Array(Type.Object({ level: BridgeLevel, ...Subtotal })),
  byBridgePoint: Type.Array(Type.Object({ bridgePointId: Nullable(Id), name: Type.String(), level: BridgeLevel, ...Subtotal })),
  closedAt: IsoTime,
  /** Hash-chain head once the result was sealed. */
  chainHead: Hash,
});
export type PollResult = Static<typeof PollResult>;

/** The voting part of the `meeting:join` snapshot. */
export const PollSnapshot = Type.Object({
  /** The poll currently open, else the latest closed or published one, else null. */
  poll: Nullable(PollView),
  turnout: Nullable(Turnout),
  result: Nullable(PollResult),
  /** Live counts of an open-ballot poll; only in a secretariat's snapshot. */
  tally: Nullable(Type.Array(OptionCount)),
  /** Hall counts entered so far for `poll`, per bridge point. */
  halls: Type.Optional(Type.Array(HallCountInfo)),
  /** For the joining user: may they vote in `poll`, and have they already. */
  eligible: Type.Boolean(),
  voted: Type.Boolean(),
});
export type PollSnapshot = Static<typeof PollSnapshot>;

// ---- HTTP shapes (served by server/src/modules/voting/voting.routes.ts) ----

export const PollDetail = Type.Object({ poll: PollView, turnout: Nullable(Turnout), result: Nullable(PollResult) });
export type PollDetail = Static<typeof PollDetail>;

/** The published ballot list: named for open polls; for secret ones, anonymous choices and (apart, both sorted) the receipts. */
export const BallotList = Type.Object({
  pollId: Id,
  mode: BallotModeSchema,
  ballots: Type.Array(
    Type.Object({
      receipt: Nullable(Type.String()),
      voterId: Nullable(Id),
      fullName: Nullable(Type.String()),
      choices: Type.Array(OptionId),
    }),
  ),
  /** Secret polls: every receipt, sorted, with no link to any ballot above. */
  receipts: Nullable(Type.Array(Receipt)),
  chainHead: Hash,
});
export type BallotList = Static<typeof BallotList>;

/** A receipt proves inclusion only: it never says how the ballot was marked. */
export const ReceiptCheck = Type.Object({ pollId: Id, receipt: Receipt, counted: Type.Boolean() });
export type ReceiptCheck = Static<typeof ReceiptCheck>;

/** Independent check of a poll: the chain recomputed, the ballots re-tallied, both compared with the announced result. */
export const PollVerifyReport = Type.Object({
  pollId: Id,
  ok: Type.Boolean(),
  chainLength: Type.Integer(),
  chainHead: Hash,
  problems: Type.Array(Type.String()),
  recomputed: Nullable(PollResult),
});
export type PollVerifyReport = Static<typeof PollVerifyReport>;
